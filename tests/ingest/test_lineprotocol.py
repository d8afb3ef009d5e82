"""Line protocol read as InfluxDB's reference decoder reads it.

The reference is the Go package ``lineprotocol`` of ``github.com/influxdata/line-protocol/v2``
(used by InfluxDB 2.x). Each case gives the text, what that decoder reads from it (measurement,
tags, fields, timestamp) or that it refuses it, Vigil's quarantine reason for a refusal, and where
the expectation comes from: a named case of its ``decoder_test.go``, or the line of its source
(``decoder.go``, ``value.go``, ``escape.go``, Go's ``strconv``) that decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from ingest.decode import Limits, decode_message
from ingest.lineprotocol import Line, parse
from ingest.rejections import REASONS, Rejected

Value = float | int | str | bool


@dataclass(frozen=True)
class Reads:
    """One entry as the reference decoder returns it."""

    measurement: str
    tags: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Value] = field(default_factory=dict)
    time: int | None = None

    def line(self) -> Line:
        return Line(self.measurement, self.tags, self.fields, self.time)


@dataclass(frozen=True)
class Case:
    text: str
    reads: list[Reads] | None  # None: the reference decoder refuses it
    source: str
    reason: str | None = None  # Vigil's quarantine reason when refused


def r(
    measurement: str, tags: dict[str, str] | None = None, time: int | None = None, **fields: Value
) -> Reads:
    return Reads(measurement, tags or {}, fields, time)


CASES: dict[str, Case] = {
    # -- structure -------------------------------------------------------------------------------
    "all fields present": Case(
        '\n   # comment\n somename,tag1=val1,tag2=val2  floatfield=1,strfield="hello",intfield=-1i,'
        "uintfield=1u,boolfield=true  1602841605822791506\n",
        [
            Reads(
                "somename",
                {"tag1": "val1", "tag2": "val2"},
                {
                    "floatfield": 1.0,
                    "strfield": "hello",
                    "intfield": -1,
                    "uintfield": 1,
                    "boolfield": True,
                },
                1602841605822791506,
            )
        ],
        "decoder_test.go: all-fields-present-no-escapes",
    ),
    "multiple entries": Case(
        '\n   # comment\n m1,tag1=val1  x="first"  1602841605822791506\n  m2,foo=bar  x="second"  '
        "1602841605822792000\n\n # last comment\n",
        [
            r("m1", {"tag1": "val1"}, 1602841605822791506, x="first"),
            r("m2", {"foo": "bar"}, 1602841605822792000, x="second"),
        ],
        "decoder_test.go: multiple-entries",
    ),
    "missing timestamp": Case("b f=1", [r("b", f=1.0)], "decoder_test.go: missing timestamp"),
    "trailing space, no timestamp": Case(
        "9 f=-7 ", [r("9", f=-7.0)], "decoder_test.go: field-with-space-and-no-timestamp"
    ),
    "carriage returns": Case(
        "# foo\r\nm x=1\r\n\r\n", [r("m", x=1.0)], "decoder_test.go: carriage-returns"
    ),
    "carriage return in a comment": Case(
        "# foo\rxxx\nm x=1\r\n",
        None,
        "decoder_test.go: carriage-return-in-comment",
        "line_protocol_syntax",
    ),
    "lone carriage return after a field": Case(
        "m x=1\rm y=2",
        None,
        "decoder.go: TimeBytes, takeEOL (CR only before LF)",
        "line_protocol_syntax",
    ),
    "trailing comma after measurement": Case(
        "TestBuckét, FieldOne=Happy",
        None,
        "decoder_test.go: trailing-comma-after-measurement",
        "line_protocol_syntax",
    ),
    "missing comma after field": Case(
        'TestBuckét TagOné="Happy" FieldOne=123.45',
        None,
        "decoder_test.go: missing-comma-after-field",
        "line_protocol_syntax",
    ),
    "missing quotes": Case(
        "TestBucket FieldOné=Happy,FieldTwo=sad",
        None,
        "decoder_test.go: missing-quotes",
        "line_protocol_syntax",
    ),
    "no fields": Case(
        "m2", None, "decoder_test.go: multiple-entries-with-error#2", "line_protocol_syntax"
    ),
    "tags but no fields": Case(
        "m,a=b", None, "decoder.go: NextTag, then NextField at end of input", "line_protocol_syntax"
    ),
    "empty field value": Case(
        "m x=", None, "decoder.go: NextFieldBytes 'expected value'", "line_protocol_syntax"
    ),
    "empty tag value": Case(
        "m,a= x=1", None, "decoder.go: NextTag 'expected tag value'", "line_protocol_syntax"
    ),
    "empty tag key": Case(
        "m,=b x=1", None, "decoder.go: NextTag 'empty tag key'", "line_protocol_syntax"
    ),
    "control character in a tag value": Case(
        "m,a=b\x01c x=1",
        None,
        "decoder.go: tagValChars excludes nonPrintable",
        "line_protocol_syntax",
    ),
    "raw newline inside a string": Case(
        'm f="hello\ngoodbye\nx",g=1',
        [r("m", f="hello\ngoodbye\nx", g=1.0)],
        "decoder_test.go: field-value-error-after-newline-in-string (first field)",
    ),
    "unterminated string": Case(
        'm f="a\nb",g="c\nd',
        None,
        "decoder_test.go: field-string-value-error-after-newline-in-string",
        "line_protocol_syntax",
    ),
    "text after the timestamp": Case(
        "m x=1 123 456",
        None,
        "decoder.go: TimeBytes 'unexpected text after timestamp'",
        "line_protocol_syntax",
    ),
    "timestamp not a number": Case(
        "m x=1 abc", None, "decoder.go: TimeBytes 'invalid timestamp'", "line_protocol_syntax"
    ),
    # -- escapes: measurement (measurementEscapes = " ,") ----------------------------------------
    "measurement: escaped comma and space": Case(
        "comma\\,1\\ x f=1", [r("comma,1 x", f=1.0)], "decoder_test.go: escaped-values; escape.go"
    ),
    "measurement: backslash before = is kept": Case(
        "a\\=b f=1", [r("a\\=b", f=1.0)], 'decoder.go: measurementEscapes = newEscaper(" ,")'
    ),
    "measurement: backslash before another character is kept": Case(
        "a\\qb f=1", [r("a\\qb", f=1.0)], "decoder.go: takeEsc, 'the backslash ... stays intact'"
    ),
    "measurement: a double backslash is not an escape": Case(
        "a\\\\,t=v f=1",
        [r("a\\,t=v", f=1.0)],
        "decoder.go: takeEsc (only the second backslash escapes ',')",
    ),
    # -- escapes: tag keys, tag values, field keys (",= ") ----------------------------------------
    "tags: escaped comma, equals sign and space": Case(
        "m,equals\\==e\\,x,sp\\ k=v\\ w f\\=x\\ y\\,z=1",
        [Reads("m", {"equals=": "e,x", "sp k": "v w"}, {"f=x y,z": 1.0})],
        "decoder_test.go: escaped-values; decoder.go: tagKeyEscapes, tagValEscapes",
    ),
    "tags: backslash before another character is kept": Case(
        'm,k\\q=v\\"w f\\n=1',
        [Reads("m", {"k\\q": 'v\\"w'}, {"f\\n": 1.0})],
        "decoder.go: takeEsc with tagKeyEscapes/tagValEscapes/fieldKeyEscapes",
    ),
    "tags: a double backslash then space escapes the space": Case(
        "m,k=a\\\\ b f=1", [r("m", {"k": "a\\ b"}, f=1.0)], "decoder.go: takeEsc (left to right)"
    ),
    "tags: backslash at the end of the input is kept": Case(
        "m f=1,g\\",
        None,
        "decoder.go: takeEsc 'leave the \\ intact' then NextFieldBytes wants '='",
        "line_protocol_syntax",
    ),
    "tags: duplicate key": Case(
        "m,a=1,a=2 f=1",
        None,
        "decoder.go returns both tags; corpus_test.go decodeToCorpusPoint refuses a duplicate key",
        "duplicate_tag",
    ),
    # -- escapes: string fields (fieldStringValEscapes = \\ \" \n \r \t) --------------------------
    "string: escaped quote and backslash": Case(
        'm f="fir\\"st\\\\"', [r("m", f='fir"st\\')], "decoder_test.go: escaped-values"
    ),
    "string: \\n \\r \\t are read as control characters": Case(
        'm f="a\\nb\\rc\\td"',
        [r("m", f="a\nb\rc\td")],
        'decoder.go: fieldStringValEscapes = newEscaper("\\\\\\"\\n\\r\\t") (line-protocol PR #49)',
    ),
    "string: backslash before another character is kept": Case(
        'm f="a\\qb\\,c"', [r("m", f="a\\qb\\,c")], "decoder.go: takeEsc with fieldStringValEscapes"
    ),
    # -- values ---------------------------------------------------------------------------------
    "bool forms": Case(
        "m a=t,b=T,c=true,d=True,e=TRUE,f=f,g=F,h=false,i=False,j=FALSE",
        [
            r(
                "m",
                a=True,
                b=True,
                c=True,
                d=True,
                e=True,
                f=False,
                g=False,
                h=False,
                i=False,
                j=False,
            )
        ],
        "strconv.go: parseBoolBytes",
    ),
    "bool: other spellings": Case(
        "m a=tRUE", None, "strconv.go: parseBoolBytes", "line_protocol_syntax"
    ),
    "float: Go syntax": Case(
        "m a=1.,b=.5,c=-0.25e2,d=1E3,e=1_000.5,f=0x1p-2,g=0x_1.8p1,h=1e-400",
        [r("m", a=1.0, b=0.5, c=-25.0, d=1000.0, e=1000.5, f=0.25, g=3.0, h=0.0)],
        "value.go: newValueFromBytes Float -> strconv.ParseFloat (Go float literal syntax)",
    ),
    "float: underscore not between digits": Case(
        "m a=1__0", None, "strconv.ParseFloat: underscoreOK", "line_protocol_syntax"
    ),
    "float: hexadecimal without p exponent": Case(
        "m a=0x10",
        None,
        "strconv.ParseFloat: a hexadecimal mantissa needs a p exponent",
        "line_protocol_syntax",
    ),
    "float: leading plus sign": Case(
        "m a=+1",
        None,
        "decoder.go: NextFieldBytes, '+' starts no known value type",
        "line_protocol_syntax",
    ),
    "float: NaN": Case(
        "m a=NaN",
        None,
        "decoder.go: NextFieldBytes, 'N' starts no known value type",
        "non_finite_value",
    ),
    "float: negative infinity": Case(
        "m a=-Inf", None, "value.go: 'non-number cannot be represented'", "non_finite_value"
    ),
    "float: -infinity, any case": Case(
        "m a=-INFINITY", None, "value.go: 'non-number cannot be represented'", "non_finite_value"
    ),
    "float: overflow": Case(
        "mmmé é=1e9999999999999", None, "decoder_test.go: out-of-range-value", "non_finite_value"
    ),
    "float: bad syntax": Case(
        "m value=2a.0",
        None,
        "decoder_test.go: multiple-entries-with-error#1",
        "line_protocol_syntax",
    ),
    "integer: int64 limits": Case(
        "m a=-9223372036854775808i,b=9223372036854775807i,c=007i,d=-0i",
        [r("m", a=-9223372036854775808, b=9223372036854775807, c=7, d=0)],
        "value.go: Int -> strconv.ParseInt(data, 10, 64)",
    ),
    "integer: above int64": Case(
        "m a=9223372036854775808i",
        None,
        "value.go: maybeOutOfRange -> ErrValueOutOfRange",
        "integer_out_of_range",
    ),
    "integer: below int64": Case(
        "m a=-9223372036854775809i",
        None,
        "value.go: maybeOutOfRange -> ErrValueOutOfRange",
        "integer_out_of_range",
    ),
    "integer: underscores (base 10 takes none)": Case(
        "m a=1_000i", None, "strconv.ParseInt with base 10", "line_protocol_syntax"
    ),
    "integer: a fraction": Case("m a=1.5i", None, "strconv.ParseInt", "line_protocol_syntax"),
    "unsigned: uint64 limits": Case(
        "m a=0u,b=18446744073709551615u",
        [r("m", a=0, b=18446744073709551615)],
        "value.go: Uint -> strconv.ParseUint(data, 10, 64)",
    ),
    "unsigned: above uint64": Case(
        "m a=18446744073709551616u",
        None,
        "value.go: maybeOutOfRange -> ErrValueOutOfRange",
        "integer_out_of_range",
    ),
    "unsigned: negative": Case(
        "m a=-1u", None, "strconv.ParseUint: 'a sign prefix is not permitted'", "negative_unsigned"
    ),
    # -- timestamps -----------------------------------------------------------------------------
    "timestamp: int64 limits": Case(
        "m a=1 -9223372036854775808\nm a=1 9223372036854775807",
        [r("m", None, -9223372036854775808, a=1.0), r("m", None, 9223372036854775807, a=1.0)],
        "decoder.go: Time -> parseIntBytes(data, 10, 64)",
    ),
    "timestamp: above int64": Case(
        "m a=1 9223372036854775808",
        None,
        "decoder.go: Time, maybeOutOfRange",
        "timestamp_out_of_range",
    ),
    "timestamp: a lone minus sign": Case(
        "m a=1 -", None, "decoder.go: Time, parseIntBytes", "line_protocol_syntax"
    ),
    # -- text encoding --------------------------------------------------------------------------
    "invalid UTF-8": Case(
        "m,a=\udcff x=1", None, "decoder.go: takeEsc 'invalid utf-8 sequence in token'", "not_utf8"
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_reads_what_the_reference_decoder_reads(name: str) -> None:
    case = CASES[name]
    if case.reason == "not_utf8":
        return  # bytes, not text: see test_invalid_utf8_is_refused
    if case.reads is not None:
        assert parse(case.text) == [entry.line() for entry in case.reads], case.source
        return
    assert case.reason in REASONS
    with pytest.raises(Rejected) as refused:
        parse(case.text)
    assert refused.value.reason == case.reason, (case.source, refused.value.detail)


def test_invalid_utf8_is_refused() -> None:
    payload = b"telemetry,asset_type=pu\xffmp x=1"
    with pytest.raises(Rejected) as refused:
        decode_message(site="s", asset="a", payload=payload, received_ms=0, limits=Limits())
    assert refused.value.reason == "not_utf8"


def test_each_refusal_has_its_own_reason() -> None:
    reasons = {case.reason for case in CASES.values() if case.reads is None}
    assert {
        "duplicate_tag",
        "non_finite_value",
        "integer_out_of_range",
        "negative_unsigned",
        "timestamp_out_of_range",
        "not_utf8",
        "line_protocol_syntax",
    } <= reasons
