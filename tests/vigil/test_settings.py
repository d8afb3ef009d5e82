from __future__ import annotations

from pathlib import Path

import pytest

from vigil.settings import SettingsError, load_settings


def test_defaults_are_embedded() -> None:
    settings = load_settings()
    assert settings.store_kind == "sqlite"
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.topic_template == "vigil/{site}/{asset}/telemetry"


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("VIGIL_MQTT_URL", "http://broker", "VIGIL_MQTT_URL: expected mqtt://"),
        ("VIGIL_TOPIC_TEMPLATE", "vigil/{site}/telemetry", "VIGIL_TOPIC_TEMPLATE: must contain"),
        ("VIGIL_TOPIC_TEMPLATE", "vigil/+/{site}/{asset}", "VIGIL_TOPIC_TEMPLATE: use named"),
        ("VIGIL_INFLUX_URL", "influx:8086", "VIGIL_INFLUX_URL: expected http://"),
        ("VIGIL_MQTT_PROTOCOL", "4", "VIGIL_MQTT_PROTOCOL"),
        ("VIGIL_INGEST_BATCH_SIZE", "0", "VIGIL_INGEST_BATCH_SIZE"),
        ("VIGIL_STORE", "influxdb", "VIGIL_STORE=influxdb needs VIGIL_INFLUX_URL"),
        ("VIGIL_SCORING_SHARD", "2/2", "VIGIL_SCORING_SHARD: expected i/n"),
        ("VIGIL_VERIFICATION_SETTLE_H", "168", "VIGIL_VERIFICATION_SETTLE_H must be shorter"),
        ("VIGIL_VERIFICATION_DAYS", "0", "VIGIL_VERIFICATION_DAYS"),
        ("VIGIL_UPLOAD_STORE", "/srv/uploads", "VIGIL_UPLOAD_STORE: expected s3://bucket or"),
        ("VIGIL_UPLOAD_STORE", "s3:/vigil", "VIGIL_UPLOAD_STORE: bucket '' is not an S3 bucket"),
        ("VIGIL_UPLOAD_STORE", "s3://Vigil_Uploads", "expected s3://bucket or s3://bucket/prefix"),
        ("VIGIL_UPLOAD_STORE", "s3://key:secret@vigil/x", "credentials come from the AWS"),
        ("VIGIL_UPLOAD_STORE", "s3://vigil/a/../b", "VIGIL_UPLOAD_STORE: prefix 'a/../b'"),
        ("VIGIL_S3_ENDPOINT_URL", "minio:9000", "VIGIL_S3_ENDPOINT_URL: expected http(s)://"),
    ],
)
def test_wrong_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert says in str(error.value)


def test_toml_file_and_environment_precedence(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "vigil.toml"
    config.write_text(
        'mqtt_url = "mqtts://u:p@broker:8883"\nstore = "influxdb"\n'
        'influx_url = "http://influx:8086"\ninflux_db = "plant"\n'
    )
    settings = load_settings(config)
    assert settings.store_kind == "influxdb"
    assert settings.influx_db == "plant"
    monkeypatch.setenv("VIGIL_INFLUX_DB", "from-env")
    assert load_settings(config).influx_db == "from-env"
    with pytest.raises(SettingsError, match="no such file"):
        load_settings(tmp_path / "missing.toml")
