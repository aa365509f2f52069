"""Publishing a figure to kachery-cloud, so that its ``https://figurl.org/f?...`` URL opens anywhere.

The figure's files (the same set a publish to a runner copies) are handed to kachery-cloud's own client, which
uploads those its zone lacks. Everything is checked before the client is called: the view figurl.org should
load (``SORTINGVIEW_VIEW_URL``), and the client's keys, so that a missing configuration is a clear error and never
an interactive prompt. Nothing here reaches the network unless ``publish(..., to="kachery-cloud")`` is called.
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from importlib import metadata
from types import ModuleType
from urllib.parse import quote, urlsplit

from tqdm.auto import tqdm

from ..config import Config, get_config
from ..runner_client import address_is_loopback, fetch_health
from ..store import LocalStore, default_store, parse_uri
from .connection import PublishError
from .contents import FigureTarget, figure_contents, figure_target

KACHERY_CLOUD = "kachery-cloud"
DEFAULT_FIGURL_BASE_URL = "https://figurl.org"
# sortingview's published view; our runner also reads this address as its own bundled view.
SORTINGVIEW_VIEW = "npm://@fi-sci/figurl-sortingview@12/dist"
# The client versions whose source was read: once keys are found they upload without prompting.
SUPPORTED_CLIENT = "0.4"
INIT_INSTRUCTIONS = (
    "run `kachery-cloud-init` once in a terminal (it registers this machine's client keys, kept in "
    "$KACHERY_CLOUD_DIR, default ~/.kachery-cloud), or set KACHERY_CLOUD_CLIENT_ID and KACHERY_CLOUD_PRIVATE_KEY "
    "to a registered client's keys"
)


def figurl_view_url(config: Config) -> str:
    """The view figurl.org loads (``v=``): ``view_url`` of the configuration, which must be set for it.

    Raises
    ------
    PublishError
        If ``SORTINGVIEW_VIEW_URL`` is not set (the default view is this machine's runner) or names this machine.
    """
    fix = (
        f"set SORTINGVIEW_VIEW_URL (or view_url: in {config.config_file}) to sortingview's published view, "
        f"e.g. SORTINGVIEW_VIEW_URL={SORTINGVIEW_VIEW}"
    )
    view_url = config.view_url
    if view_url == f"{config.address}/viewer":
        raise PublishError(f"Publishing to kachery-cloud needs the view figurl.org should load: {fix}")
    if view_url.startswith(("http://", "https://")) and address_is_loopback(view_url):
        raise PublishError(f"The view {view_url} is on this machine, where figurl.org cannot load it: {fix}")
    return view_url


def kachery_cloud_client() -> ModuleType:
    """The ``kachery_cloud`` module, once its configuration says it can upload without asking anything.

    kachery-cloud finds its client keys in ``KACHERY_CLOUD_CLIENT_ID`` with ``KACHERY_CLOUD_PRIVATE_KEY``, else in
    ``private.pem`` of ``$KACHERY_CLOUD_DIR`` (default ``~/.kachery-cloud``). ``KACHERY_STORE_FILE_DIR`` makes it
    copy files to that folder instead (no network), and a custom storage backend set in this process is used
    as it is.

    Raises
    ------
    PublishError
        If kachery-cloud is not installed, is a version whose behaviour was not read, or has no client keys.
    """
    try:
        version = metadata.version("kachery-cloud")
    except metadata.PackageNotFoundError:
        raise PublishError(
            "Publishing to kachery-cloud needs its client: pip install 'spikeinterface-sortingview[figurl]' "
            f"(kachery-cloud {SUPPORTED_CLIENT}.x)"
        ) from None
    if not version.startswith(f"{SUPPORTED_CLIENT}."):
        # Another version may prompt for its configuration (kachery 2.x calls input() without an API key).
        raise PublishError(
            f"kachery-cloud {version} is installed; publishing works with kachery-cloud {SUPPORTED_CLIENT}.x, "
            f"whose configuration is checked before it is called: pip install 'kachery-cloud>={SUPPORTED_CLIENT},<0.5'"
        )
    if os.environ.get("KACHERY_STORE_FILE_PREFIX"):
        raise PublishError(
            "KACHERY_STORE_FILE_PREFIX is set, so kachery-cloud would name files by URL instead of sha1://, "
            "which figurl.org cannot resolve: unset it"
        )
    import kachery_cloud as client  # only here: importing it creates its folder (~/.kachery-cloud)

    if os.environ.get("KACHERY_STORE_FILE_DIR"):
        return client
    backend_module = sys.modules.get("kachery_cloud._custom_storage_backend")
    backend = backend_module.get_custom_storage_backend() if backend_module is not None else None
    if backend is not None and hasattr(backend, "store_file"):
        return client
    if os.environ.get("KACHERY_CLOUD_CLIENT_ID") and not os.environ.get("KACHERY_CLOUD_PRIVATE_KEY"):
        raise PublishError(
            "KACHERY_CLOUD_CLIENT_ID is set but KACHERY_CLOUD_PRIVATE_KEY is not: set both to a registered "
            "kachery-cloud client's keys, or unset KACHERY_CLOUD_CLIENT_ID to use the keys of `kachery-cloud-init`"
        )
    where = os.environ.get("KACHERY_CLOUD_DIR", "~/.kachery-cloud")
    try:
        client_id = client.get_client_id(generate_if_missing=False)
    except Exception as e:  # kachery-cloud raises bare Exceptions for unreadable key files
        raise PublishError(
            f"The kachery-cloud client keys in {where} cannot be read ({e}): {INIT_INSTRUCTIONS}"
        ) from None
    if client_id is None:
        raise PublishError(
            f"No kachery-cloud client is configured on this machine (no keys in {where}): {INIT_INSTRUCTIONS}"
        )
    return client


def service_url_for(figure_address: str | None, service_url: str | None) -> str | None:
    """The runner figurl.org sends live compute to (``sh=``): ``service_url``, else the runner's public address.

    The runner that serves the figure (its figURL's address, else the configured one) counts if it is not on
    loopback; a runner on loopback is asked for its ``/health``, whose ``url`` is its ``--public-url``. A browser
    opening figurl.org elsewhere cannot reach this machine's loopback, so then there is no ``sh=``.
    """
    if service_url:
        if not service_url.startswith(("http://", "https://")):
            raise ValueError(f"service_url {service_url!r} must be a runner address, e.g. https://sortings.lab.org")
        return service_url.rstrip("/")
    address = (figure_address or get_config().address).rstrip("/")
    if not address_is_loopback(address):
        return address
    health = fetch_health(address)
    public = str(health.get("url") or "") if health else ""
    return (
        public.rstrip("/") if public.startswith(("http://", "https://")) and not address_is_loopback(public) else None
    )


def figurl_org_url(
    target: FigureTarget,
    view_url: str,
    service_url: str | None = None,
    zone: str | None = None,
    base_url: str | None = None,
) -> str:
    """Format ``<figurl>/f?v=<view>&d=<document>[&s=...][&label=...][&zone=...][&sh=...]``.

    ``base_url`` defaults to ``$FIGURL_BASE_URL``, else ``https://figurl.org``; ``zone`` (kachery-cloud's
    ``KACHERY_ZONE``) is written only when it is not ``default``.
    """
    base = (base_url or os.environ.get("FIGURL_BASE_URL") or DEFAULT_FIGURL_BASE_URL).rstrip("/")
    sha1, _ = parse_uri(target.document_uri)
    url = f"{base}/f?v={view_url}&d=sha1://{sha1}"
    if target.state:
        state = json.dumps(json.loads(target.state), sort_keys=True, separators=(",", ":"), allow_nan=False)
        url += f"&s={quote(state)}"
    if target.label:
        url += f"&label={quote(target.label)}"
    if zone and zone != "default":
        url += f"&zone={quote(zone)}"
    if service_url:
        url += f"&sh={service_url}"
    return url


def publish_to_kachery_cloud(
    target: object,
    include_recording: bool = False,
    progress: bool | None = None,
    store: LocalStore | None = None,
    service_url: str | None = None,
):
    """Store a figure's files with kachery-cloud and return a ``PublishReport`` whose ``url`` is on figurl.org.

    See :func:`spikeinterface_sortingview.sharing.publish` with ``to="kachery-cloud"``.
    """
    from .publish import PublishReport  # publish.py imports this module to dispatch to it

    config = get_config()
    view_url = figurl_view_url(config)
    client = kachery_cloud_client()
    figure = figure_target(target)
    url_of_target = getattr(target, "url", target)
    figure_address = None
    if isinstance(url_of_target, str) and url_of_target.startswith(("http://", "https://")):
        parts = urlsplit(url_of_target)
        figure_address = f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/f', 1)[0]}"
    contents = figure_contents(store or default_store(), figure, include_recording=include_recording)
    sh = service_url_for(figure_address, service_url)

    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(
        total=contents.total_bytes,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        desc="kachery-cloud",
        file=sys.stderr,
        disable=not show,
    ) as bar:
        for sha1, path in contents.files.items():
            try:
                uri = client.store_file(str(path))
            except Exception as e:  # kachery-cloud raises bare Exceptions (refused keys, HTTP errors)
                raise PublishError(
                    f"kachery-cloud could not store {path} (sha1://{sha1}): {e}. Files stored so far stay there: "
                    f"publish again to send the rest. If the client is not registered: {INIT_INSTRUCTIONS}"
                ) from None
            stored = parse_uri(uri.split("?", 1)[0])[0] if isinstance(uri, str) and uri.startswith("sha1://") else None
            if stored != sha1:
                raise PublishError(
                    f"kachery-cloud stored {path} as {uri!r}, not sha1://{sha1}: the local file does not hold the "
                    "bytes its name says; share the data again to store a good copy, then publish again"
                )
            bar.update(contents.sizes[sha1])
    for uri in contents.left_out:
        warnings.warn(
            f"The recording {uri} was not published (include_recording=False): the figure's live traces and "
            "waveforms are unavailable on figurl.org.",
            stacklevel=4,
        )
    url = figurl_org_url(figure, view_url, sh, zone=os.environ.get("KACHERY_ZONE"))
    if sh is None:
        warnings.warn(
            "No public runner serves this figure, so its figurl.org URL has no sh=: live computations (merged "
            "correlograms, traces) are unavailable there. Start the runner with --public-url, or pass service_url.",
            stacklevel=4,
        )
    elif url.startswith("https://") and sh.startswith("http://"):
        warnings.warn(
            f"figurl.org is served over HTTPS, and browsers block its requests to {sh} (plain HTTP): give the "
            "runner an https:// address (--certfile/--keyfile, or a reverse proxy) for live computations there.",
            stacklevel=4,
        )
    return PublishReport(
        url=url,
        files=len(contents.files),
        bytes=contents.total_bytes,
        uploaded_files=len(contents.files),
        uploaded_bytes=contents.total_bytes,
        left_out=list(contents.left_out),
    )
