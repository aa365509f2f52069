"""One configuration for the package: where the store lives and where figURLs point.

Values come from, in order of precedence: environment variables, the YAML
config file, built-in defaults. They are read on every call so a notebook or a
test can change the environment and see the change.

Credentials of runners live here too, in one place: ``remotes:`` in the config file maps runner URLs to
their tokens, and ``SORTINGVIEW_TOKEN`` gives the token of a runner it does not list. Every HTTP client of
the package (store reads, extractors, Ray workers, publishing) asks :func:`runner_token` for the runner it
talks to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

DEFAULT_PORT = 8931
DEFAULT_HOME = Path("~/.spikeinterface-sortingview")

# environment variable -> config file key
ENVIRONMENT_KEYS = {
    "SORTINGVIEW_STORE_DIR": "store_dir",
    "SORTINGVIEW_ADDRESS": "address",
    "SORTINGVIEW_VIEW_URL": "view_url",
    "SORTINGVIEW_PUBLISH_TO": "publish_to",
    "SORTINGVIEW_PROXY_URL": "proxy_url",
}
# The token of a runner that ``remotes`` does not list.
TOKEN_ENVIRONMENT_VARIABLE = "SORTINGVIEW_TOKEN"
# curators: {name: token}; a runner bound beyond loopback takes curation actions only with one of these tokens.
# remotes: {runner URL: token}; what this machine's clients send to each runner.
CONFIG_FILE_KEYS = set(ENVIRONMENT_KEYS.values()) | {"curators", "remotes"}


class ConfigError(ValueError):
    """A configuration value or file that cannot be used."""


@dataclass(frozen=True)
class Config:
    """Resolved configuration.

    Attributes
    ----------
    store_dir : Path
        Folder of the local content-addressed store (kachery layout).
    address : str
        Base URL that figURLs point to, e.g. ``http://127.0.0.1:8931`` (the local runner).
    view_url : str
        Address of the view bundle written as ``v=`` in figURLs.
    config_file : Path
        The YAML file consulted (it may not exist).
    curators : dict
        ``{curator name: token}`` of those who may curate through a runner reachable from the network.
    remotes : dict
        ``{runner URL: token}``: the token this machine's clients send to each runner.
    publish_to : str | None
        A runner URL, or ``kachery-cloud``: figures made with ``backend="sortingview"`` are published there.
    proxy_url : str | None
        Where a browser reaches the local runner when not at ``address`` (a proxy's address or path prefix,
        ``{port}`` standing for the runner's port); notebooks show figures there.
    """

    store_dir: Path
    address: str
    view_url: str
    config_file: Path
    curators: dict[str, str]
    remotes: dict[str, str] = field(default_factory=dict)
    publish_to: str | None = None
    proxy_url: str | None = None


def home_dir() -> Path:
    """The package's own folder (store, runner state), ``$SORTINGVIEW_HOME`` or ``~/.spikeinterface-sortingview``."""
    return Path(os.environ.get("SORTINGVIEW_HOME", DEFAULT_HOME)).expanduser()


def config_file_path() -> Path:
    """The YAML config file: ``$SORTINGVIEW_CONFIG`` or ``<home>/config.yaml``."""
    if "SORTINGVIEW_CONFIG" in os.environ:
        return Path(os.environ["SORTINGVIEW_CONFIG"]).expanduser()
    return home_dir() / "config.yaml"


def read_config_file(path: Path) -> dict:
    """Read the YAML config file; an absent file is an empty config."""
    if not path.exists():
        return {}
    try:
        content = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise ConfigError(f"Config file {path} is not valid YAML: {e}. Fix or delete the file.") from e
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise ConfigError(f"Config file {path} must hold a mapping such as 'store_dir: /data/store'.")
    unknown = set(content) - CONFIG_FILE_KEYS
    if unknown:
        raise ConfigError(
            f"Config file {path} has unknown keys {sorted(unknown)}; allowed keys are {sorted(CONFIG_FILE_KEYS)}."
        )
    return content


def get_config() -> Config:
    """Resolve the configuration from the environment, the config file and defaults."""
    path = config_file_path()
    values = read_config_file(path)
    for env_name, key in ENVIRONMENT_KEYS.items():
        if os.environ.get(env_name):
            values[key] = os.environ[env_name]

    address = str(values.get("address", f"http://127.0.0.1:{DEFAULT_PORT}")).rstrip("/")
    if not address.startswith(("http://", "https://")):
        raise ConfigError(
            f"address {address!r} must start with http:// or https://, e.g. http://127.0.0.1:{DEFAULT_PORT}"
        )
    store_dir = Path(values.get("store_dir", home_dir() / "store")).expanduser()
    view_url = str(values.get("view_url", f"{address}/viewer"))
    curators = values.get("curators") or {}
    if not isinstance(curators, dict) or not all(
        isinstance(token, str) and len(token) >= 16 for token in curators.values()
    ):
        raise ConfigError(f"{path}: curators must map each curator's name to a token of at least 16 characters")
    remotes = values.get("remotes") or {}
    if not isinstance(remotes, dict) or not all(
        isinstance(url, str) and url.startswith(("http://", "https://")) and isinstance(token, str) and token
        for url, token in remotes.items()
    ):
        raise ConfigError(
            f"{path}: remotes must map runner URLs to their tokens, e.g. 'remotes: {{https://lab.example.org:8931: <token>}}'"
        )
    publish_to = values.get("publish_to") or None
    if (
        publish_to is not None
        and publish_to != "kachery-cloud"
        and not str(publish_to).startswith(("http://", "https://"))
    ):
        raise ConfigError(
            f"publish_to {publish_to!r} must be a runner URL starting with http:// or https://, or kachery-cloud"
        )
    proxy_url = values.get("proxy_url") or None
    if proxy_url is not None and not str(proxy_url).startswith(("http://", "https://", "/")):
        raise ConfigError(
            f"proxy_url {proxy_url!r} must be an address (http:// or https://) or a path starting with /, "
            "e.g. /user/alice/proxy/{port} or http://localhost:18931"
        )
    return Config(
        store_dir=store_dir,
        address=address,
        view_url=view_url,
        config_file=path,
        curators=dict(curators),
        remotes={normalized_url(url): token for url, token in remotes.items()},
        publish_to=str(publish_to).rstrip("/") if publish_to else None,
        proxy_url=str(proxy_url).rstrip("/") if proxy_url else None,
    )


def normalized_url(url: str) -> str:
    """``url`` as runner URLs are compared: lowercase scheme and host, the port written out, no trailing slash."""
    parts = urlsplit(url.strip())
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host.lower()}:{port}{parts.path.rstrip('/')}"


def runner_token(url: str, config: Config | None = None) -> tuple[str | None, str]:
    """The token to send to the runner at ``url`` and where it was found.

    Parameters
    ----------
    url : str
        The runner's address, or any URL on it (``https://lab.example.org/sv/sha1/...``).
    config : Config | None
        The configuration to read; the current one by default.

    Returns
    -------
    tuple[str | None, str]
        ``(token, where)``: the ``remotes`` entry whose URL is the longest prefix of ``url``, else
        ``$SORTINGVIEW_TOKEN``, else ``(None, "")``. ``where`` names the setting, for error messages.
    """
    config = config or get_config()
    wanted = normalized_url(url)
    best = None
    for remote in config.remotes:
        if (wanted == remote or wanted.startswith(remote + "/")) and (best is None or len(remote) > len(best)):
            best = remote
    if best is not None:
        return config.remotes[best], f"remotes: {best} in {config.config_file}"
    if os.environ.get(TOKEN_ENVIRONMENT_VARIABLE):
        return os.environ[TOKEN_ENVIRONMENT_VARIABLE], TOKEN_ENVIRONMENT_VARIABLE
    return None, ""


def token_instructions(url: str, config: Config | None = None) -> str:
    """How to give this machine the token of the runner at ``url``, for error messages."""
    config = config or get_config()
    return (
        f"add 'remotes: {{{url.rstrip('/')}: <token>}}' to {config.config_file} (or set {TOKEN_ENVIRONMENT_VARIABLE}); "
        "the token is in ~/.spikeinterface-sortingview/runner/token on the runner's machine, and "
        "`sv-runner start --background` prints it"
    )
