"""A runner serving HTTPS itself (``--certfile/--keyfile``), reached with its token by this package's clients."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path

import httpx
import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import spikeinterface_sortingview as sv
from tests.runner.remote_runners import remote_runner


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, signed by its own key (PEM files)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    keyfile.chmod(0o600)
    return certfile, keyfile


def test_a_runner_serves_https_with_its_certificate_and_clients_use_it_with_the_token(tmp_path, monkeypatch):
    certfile, keyfile = self_signed_certificate(tmp_path / "tls")
    args = ("--no-compute", "--certfile", str(certfile), "--keyfile", str(keyfile))
    with remote_runner(tmp_path / "b", args=args) as b:
        assert b.url.startswith("https://")
        # The certificate served is the one given: a client trusting only it verifies the connection.
        trusted = ssl.create_default_context(cafile=str(certfile))
        health = httpx.get(f"{b.url}/health", headers=b.headers(), verify=trusted, timeout=10)
        assert health.status_code == 200 and health.json()["url"] == b.url
        with pytest.raises(httpx.HTTPError):
            httpx.get(b.url.replace("https://", "http://") + "/health", timeout=5)

        # load_recording over HTTPS with the token from the configuration.
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(b.store_dir))
        import spikeinterface.full as si

        recording, sorting = si.generate_ground_truth_recording(durations=[2.0], num_channels=4, num_units=2, seed=1)
        uri = sv.share_recording(recording)
        monkeypatch.setenv("SORTINGVIEW_STORE_DIR", str(tmp_path / "a-store"))
        monkeypatch.setenv("SORTINGVIEW_TOKEN", b.token)
        np.testing.assert_array_equal(sv.load_recording(uri, source_url=b.url).get_traces(), recording.get_traces())

        # Publishing over HTTPS.
        figure_url = sv.Figure(sv.views.Markdown("# over HTTPS")).url(label="tls")
        published = sv.publish(figure_url, to=b.url)
        assert published.startswith(f"{b.url}/f?")
        document = published.split("&d=sha1://")[1].split("&")[0]
        assert httpx.get(f"{b.url}/sha1/{document}", headers=b.headers(), verify=trusted).status_code == 200


def test_https_needs_both_files(tmp_path, runner_env):
    import subprocess
    import sys

    certfile, _ = self_signed_certificate(tmp_path / "tls")
    result = subprocess.run(
        [sys.executable, "-m", "runner.cli", "start", "--certfile", str(certfile), "--no-compute"],
        env=runner_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "HTTPS needs both --certfile and --keyfile" in result.stderr
