"""One configuration for the package: where the store lives and where figURLs point.

Values come from, in order of precedence: environment variables, the YAML
config file, built-in defaults. They are read on every call so a notebook or a
test can change the environment and see the change.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PORT = 8931
DEFAULT_HOME = Path("~/.spikeinterface-sortingview")

# environment variable -> config file key
ENVIRONMENT_KEYS = {
    "SORTINGVIEW_STORE_DIR": "store_dir",
    "SORTINGVIEW_ADDRESS": "address",
    "SORTINGVIEW_VIEW_URL": "view_url",
}
# curators: {name: token}; a runner bound beyond loopback takes curation actions only with one of these tokens
CONFIG_FILE_KEYS = set(ENVIRONMENT_KEYS.values()) | {"curators"}


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
    """

    store_dir: Path
    address: str
    view_url: str
    config_file: Path
    curators: dict[str, str]


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
    return Config(store_dir=store_dir, address=address, view_url=view_url, config_file=path, curators=dict(curators))
