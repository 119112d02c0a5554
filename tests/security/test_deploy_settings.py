"""The README's production settings pass Django's deployment checks, and every answer carries
the security headers."""

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def readme_production_environment() -> dict[str, str]:
    """The variables the README's "Production" section exports, with a fresh secret key."""
    text = (ROOT / "README.md").read_text()
    block = re.search(r"^export (.+?)(?=^\S)", text, re.S | re.M)
    assert block, "the README no longer exports its production settings"
    exports = block.group(1).replace("\\\n", " ")
    exports = exports.replace("$(openssl rand -hex 32)", secrets.token_hex(32))
    env = dict(word.split("=", 1) for word in shlex.split(exports))
    env["DATABASE_URL"] = os.environ.get("DATABASE_URL", env["DATABASE_URL"])
    return env


def test_check_deploy_finds_nothing_with_the_readme_production_settings():
    env = {**os.environ, **readme_production_environment()}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' own, never production's
    assert env["DEBUG"] == "false"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def production_setting(name: str) -> str:
    env = {**os.environ, **readme_production_environment()}
    code = f"import django; django.setup(); from django.conf import settings as s; print(s.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_sends_hsts_and_redirects_to_https():
    assert int(production_setting("SECURE_HSTS_SECONDS")) >= 31536000
    assert production_setting("SECURE_SSL_REDIRECT") == "True"
    assert production_setting("SESSION_COOKIE_SECURE") == "True"


def test_production_csp_lets_the_configured_basemap_tiles_in():
    policy = production_setting("CONTENT_SECURITY_POLICY")
    assert "https://*.tianditu.gov.cn" in policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/field/login/", "/api/assets/"])
def test_every_answer_carries_a_csp_without_inline_scripts(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_development_csp_has_no_outside_origin_without_a_basemap():
    assert settings.BASEMAP == "none" or os.environ.get("BASEMAP")
    img = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert not [origin for origin in img if origin.startswith("https://")]


@pytest.mark.django_db
def test_swagger_ui_asks_no_outside_validator(client):
    """Swagger UI's default badge is an image from validator.swagger.io, which the CSP refuses."""
    script = client.get("/api/docs/?script=").content.decode()
    assert re.search(r'"validatorUrl":\s*null', script)
