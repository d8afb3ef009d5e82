# Sourced by scripts/demo and scripts/test: make .venv and install Vigil into it, once.
# An editable install follows code changes by itself; only a changed pyproject.toml (new
# dependencies, entry points) or a different extra needs pip again, so a stamp records what
# was installed and a second run starts at once.

venv_install() {  # venv_install EXTRA ("" or "[dev]")
    local extra=$1 python=${PYTHON:-python3} stamp=.venv/.vigil-installed want
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
        echo "scripts: Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
        return 1
    }
    if [ ! -x .venv/bin/python ]; then
        echo "== creating .venv"
        "$python" -m venv .venv || return 1
    fi
    want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extra"
    # An install with [dev] also serves a plain one.
    if [ -f "$stamp" ] && { [ "$(cat "$stamp")" = "$want" ] || [ "$(cat "$stamp")" = "${want% *} [dev]" ]; }; then
        return 0
    fi
    echo "== installing Vigil$extra into .venv (once; again only when pyproject.toml changes)"
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null || return 1
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$extra" || {
        echo "scripts: pip install failed (see above); fix it and run again" >&2
        return 1
    }
    echo "$want" > "$stamp"
}
