"""The cloud collector: what Alibaba Cloud says exists in every region of the inventory, read-only.

For each region: DescribePhysicalConnections (every page), ListVirtualPhysicalConnections of each of the
partner's circuits (every page, via NextToken), and DescribeVirtualBorderRoutersForPhysicalConnection of
each circuit and each hosted connection not deleted. Every request is built from the SDK's request model (cloud_runbook.build)
and sent by the official SDK client. Each call has the run's timeout (connect and read); a throttled call
(Throttling.*) is retried with backoff; any other API error ends that region's collection (it becomes that
region's error finding) while the other regions go on.

Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (read when the run starts), else
alibabacloud-credentials' default chain (profile, RAM role). ECP_CLOUD_ENDPOINT (http://127.0.0.1:8080)
sends every call to that endpoint instead of the region's (tests, a proxy). Secrets never reach a result:
answers carry none, and every error text has the secret values removed.

Recordings: cloud/<region>/<Action>.json = {"recorded_at": ..., "calls": [{"request", "response"}]} with
the maps exactly as the SDK models serialise them; a region that failed has cloud/<region>/error.json.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

from ecpartner.atomic import write_text_atomic
from ecpartner.cloud_runbook import build
from ecpartner.cloud_state import ACTIONS, CIRCUITS, HOSTED, VBRS, RegionCloud, region_picture
from ecpartner.errors import InputError
from ecpartner.fleet_layout import inside_fleet
from ecpartner.inventory import Inventory

ID_ENV, SECRET_ENV, TOKEN_ENV = ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                                 "ALIBABA_CLOUD_SECURITY_TOKEN")
ENDPOINT_ENV = "ECP_CLOUD_ENDPOINT"
BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)     # seconds before each retry of a throttled call
PAGE_SIZE = {CIRCUITS: 50, HOSTED: 100, VBRS: 50}    # the API's largest page of each
MAX_PAGES = 10_000                      # a NextToken loop that never ends is an error, not a hang
ERROR_FILE = "error.json"
MARKER = ".ecpartner-recording"


def hide_literals(text: str, secrets) -> str:
    """collect.ssh's scrubber, imported only when there is something to scrub (a replay loads no SSH code)."""
    from ecpartner.collect.ssh import hide_literals as hide

    return hide(text, secrets)


class CloudError(Exception):
    def __init__(self, action: str, code: str | None, message: str):
        self.action, self.code, self.said = action, code, message
        super().__init__(f"{action}: {code + ': ' if code else ''}{message}")


@dataclass
class RegionCalls:
    region: str
    at: datetime
    calls: dict[str, list[dict]] = field(default_factory=dict)
    error: str | None = None

    def picture(self) -> RegionCloud:
        picture = region_picture(self.region, self.at, {} if self.error else self.calls)
        picture.error = self.error
        return picture


@dataclass(frozen=True)
class Access:
    """How to reach the API: credentials (secret values kept for scrubbing) and an optional endpoint."""
    config: dict
    credential: object | None
    secrets: frozenset[str]
    endpoint: str | None
    protocol: str | None


def resolve_access(environ=None) -> Access:
    """Credentials and endpoint, before any call: InputError (exit 2) when there are no credentials."""
    env = os.environ if environ is None else environ
    endpoint = protocol = None
    if raw := env.get(ENDPOINT_ENV):
        parts = urlsplit(raw if "://" in raw else f"https://{raw}")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise InputError(f"{ENDPOINT_ENV}={raw!r}: expected http(s)://host[:port]")
        endpoint, protocol = parts.netloc, parts.scheme
    key_id, secret, token = env.get(ID_ENV), env.get(SECRET_ENV), env.get(TOKEN_ENV)
    if key_id and secret:
        config = {"access_key_id": key_id, "access_key_secret": secret}
        if token:
            config["security_token"] = token
        return Access(config, None, frozenset(s for s in (secret, token) if s), endpoint, protocol)
    from alibabacloud_credentials.client import Client as Credentials   # the rest of the default chain

    try:
        credential = Credentials()
        found = credential.get_credential()
    except Exception as e:     # the chain says what it tried; it names no secret
        raise InputError(f"no Alibaba Cloud credentials: set {ID_ENV} and {SECRET_ENV}, or a profile or RAM role "
                         f"(alibabacloud-credentials' default chain: {str(e)[:300]})") from None
    secrets = frozenset(s for s in (found.access_key_secret, found.security_token) if s)
    return Access({}, credential, secrets, endpoint, protocol)


def _client(access: Access, region: str, timeout: float):
    from alibabacloud_tea_openapi.utils_models import Config
    from alibabacloud_vpc20160428.client import Client

    config = Config(region_id=region, credential=access.credential, connect_timeout=int(timeout * 1000),
                    read_timeout=int(timeout * 1000), **access.config)
    if access.endpoint:
        config.endpoint, config.protocol = access.endpoint, access.protocol
    return Client(config)


def _snake(action: str) -> str:
    return "".join(f"_{ch.lower()}" if ch.isupper() else ch for ch in action).lstrip("_")


class Caller:
    """One region's calls through the SDK: the request from its model, throttling retried, errors as CloudError."""

    def __init__(self, client, timeout: float, secrets: frozenset[str], backoff=BACKOFF, sleep=time.sleep):
        from darabonba.runtime import RuntimeOptions

        self.client, self.secrets, self.backoff, self.sleep = client, secrets, backoff, sleep
        ms = int(timeout * 1000)
        self.runtime = RuntimeOptions(autoretry=False, connect_timeout=ms, read_timeout=ms)

    def call(self, action: str, **fields) -> tuple[dict, dict]:
        """(request map, response body map) of one call, the request built from the SDK model."""
        return self.send(action, build(f"{action}Request", **fields))

    def send(self, action: str, request: dict) -> tuple[dict, dict]:
        """The call of a request map already built by cloud_runbook.build (names and types checked there)."""
        from alibabacloud_vpc20160428 import models

        model = getattr(models, f"{action}Request")().from_map(request)
        method = getattr(self.client, f"{_snake(action)}_with_options")
        for attempt in range(len(self.backoff) + 1):
            try:
                return request, method(model, self.runtime).body.to_map()
            except Exception as e:
                code = getattr(e, "code", None)
                if isinstance(code, str) and code.startswith("Throttling") and attempt < len(self.backoff):
                    wait = getattr(e, "retry_after", None)
                    self.sleep(min(float(wait) / 1000, 30.0) if isinstance(wait, (int, float)) and wait > 0
                               else self.backoff[attempt])
                    continue
                raise CloudError(action, code if isinstance(code, str) else None, self._said(e)) from None
        raise AssertionError("unreachable")

    def _said(self, e: Exception) -> str:
        data = getattr(e, "data", None)
        text = data.get("Message") if isinstance(data, dict) and data.get("Message") else str(e) or type(e).__name__
        inner = getattr(e, "inner_exception", None)
        if inner is not None:
            text = f"{type(inner).__name__}: {inner}"
        return hide_literals(" ".join(str(text).split())[:300], self.secrets)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def collect_region(caller: Caller, region: str, circuits: list[str], on_progress=None, now=_now) -> RegionCalls:
    """Every answer of one region; the first API error ends it (RegionCalls.error)."""
    out = RegionCalls(region, now())
    try:
        for page in range(1, MAX_PAGES + 1):
            request, body = caller.call(CIRCUITS, region_id=region, page_number=page, page_size=PAGE_SIZE[CIRCUITS])
            out.calls.setdefault(CIRCUITS, []).append({"request": request, "response": body})
            items = (body.get("PhysicalConnectionSet") or {}).get("PhysicalConnectionType") or []
            if not items or page * PAGE_SIZE[CIRCUITS] >= int(body.get("TotalCount") or 0):
                break
        picture = region_picture(region, out.at, out.calls)
        for circuit in picture.circuits:      # an inventory circuit the cloud lacks: cloud-circuit-match says so
            _pages(caller, out, HOSTED, region_id=region, physical_connection_id=circuit,
                   max_results=PAGE_SIZE[HOSTED])
        picture = region_picture(region, out.at, out.calls)
        # the VBRs on each circuit (a tenant's shared-model VBR: what `plan convert` converts) and on each
        # hosted connection not deleted (the tenant's)
        for on in [*picture.circuits, *(h.id for h in picture.connections.values() if h.state != "deleted")]:
            for page in range(1, MAX_PAGES + 1):
                request, body = caller.call(VBRS, region_id=region, physical_connection_id=on,
                                            page_number=page, page_size=PAGE_SIZE[VBRS])
                out.calls.setdefault(VBRS, []).append({"request": request, "response": body})
                if page * PAGE_SIZE[VBRS] >= int(body.get("TotalCount") or 0):
                    break
        if on_progress:
            on_progress(region, f"{len(picture.circuits)} circuit(s), {len(picture.connections)} hosted connection(s)")
    except CloudError as e:
        out.error = str(e)
        if on_progress:
            on_progress(region, f"FAILED: {e}")
    return out


def _pages(caller: Caller, out: RegionCalls, action: str, **fields) -> None:
    """Every page of a NextToken listing."""
    seen: set[str] = set()
    token = None
    for _ in range(MAX_PAGES):
        request, body = caller.call(action, **fields, **({"next_token": token} if token else {}))
        out.calls.setdefault(action, []).append({"request": request, "response": body})
        token = body.get("NextToken") or None
        if token is None:
            return
        if token in seen:
            raise CloudError(action, None, f"NextToken {token!r} repeated: the listing does not advance")
        seen.add(token)
    raise CloudError(action, None, f"more than {MAX_PAGES} pages")


def regions_of(inventory: Inventory) -> dict[str, list[str]]:
    """Every region of the inventory with its circuits, in inventory order."""
    out: dict[str, list[str]] = {}
    for c in inventory.circuits.values():
        out.setdefault(c.region, []).append(c.id)
    return out


def collect_cloud(inventory: Inventory | None, timeout: float = 30.0, access: Access | None = None,
                  on_progress: Callable[[str, str], None] | None = None, backoff=BACKOFF,
                  sleep=time.sleep, now=_now, regions: list[str] | None = None) -> dict[str, RegionCalls]:
    """Every region of the inventory (or `regions`), a few at once; an error in one region leaves the others
    whole. `now` stamps each region's answers (what pending ages are measured from)."""
    access = access or resolve_access()
    regions = regions_of(inventory) if regions is None else {r: [] for r in regions}

    def one(region: str) -> RegionCalls:
        try:
            caller = Caller(_client(access, region, timeout), timeout, access.secrets, backoff, sleep)
        except Exception as e:    # e.g. a region the SDK has no endpoint for
            failed = RegionCalls(region, now(), error=hide_literals(
                f"client: {type(e).__name__}: {e}"[:300], access.secrets))
            if on_progress:
                on_progress(region, f"FAILED: {failed.error}")
            return failed
        return collect_region(caller, region, regions[region], on_progress, now)

    if not regions:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(regions)), thread_name_prefix="ecp-cloud") as pool:
        return dict(zip(regions, pool.map(one, regions)))


def dry_run(action: str, request: dict, region: str, timeout: float = 30.0, access: Access | None = None,
            backoff=BACKOFF, sleep=time.sleep) -> tuple[str | None, str]:
    """Send one DryRun request; (code, message) of the answer: DRYRUN.SUCCESS when the call would succeed.
    An answer without an error (the call went through) is (None, ...): it should never happen with DryRun."""
    access = access or resolve_access()
    caller = Caller(_client(access, region, timeout), timeout, access.secrets, backoff, sleep)
    try:
        caller.send(action, request)
    except CloudError as e:
        return e.code, e.said
    return None, "answered without an error: the request was not a dry run"


# ---------------------------------------------------------------- recordings

def write_cloud(target: Path, inventory_path: Path, results: dict[str, RegionCalls], secrets=frozenset()) -> None:
    """DIR/cloud/ replaced as a whole (built beside it, then renamed into place); inventory.yaml copied when
    DIR has none. Refuses (InputError) a cloud/ that is not an earlier recording of ours."""
    target = Path(os.path.abspath(target))
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(f"--record {target}: exists and is not a directory")
    cloud = target / "cloud"
    if os.path.lexists(cloud) and (cloud.is_symlink() or not _looks_recorded(cloud)):
        raise InputError(f"--record {target}: cloud there is not an ecpartner cloud recording; refusing to replace it")
    target.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ecpartner-cloud-", dir=target))
    try:
        new = work / "cloud"
        new.mkdir()
        for region, got in results.items():
            folder = new / _safe_name(region)
            folder.mkdir()
            stamp = got.at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
            if got.error:
                _dump(folder / ERROR_FILE, {"recorded_at": stamp, "error": got.error}, secrets)
                continue
            for action in ACTIONS:
                _dump(folder / f"{action}.json", {"recorded_at": stamp, "calls": got.calls.get(action, [])}, secrets)
        if not (target / "inventory.yaml").exists():
            shutil.copyfile(inventory_path, work / "inventory.yaml")
            os.rename(work / "inventory.yaml", target / "inventory.yaml")
        write_text_atomic(target / MARKER, "Written by `ecpartner collect --record` or `ecpartner cloud collect "
                                           "--record`: the next recording replaces its entries here.\n")
        old = work / "old"
        if os.path.lexists(cloud):
            os.rename(cloud, old)
        try:
            os.rename(new, cloud)
        except BaseException:
            if os.path.lexists(old):
                os.rename(old, cloud)
            raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _safe_name(region: str) -> str:
    if not region or region in (".", "..") or "/" in region or "\\" in region or "\x00" in region:
        raise InputError(f"--record: region {region!r} cannot name a folder")
    return region


def _dump(path: Path, doc: dict, secrets) -> None:
    path.write_text(hide_literals(json.dumps(doc, indent=1, ensure_ascii=False), secrets) + "\n", encoding="utf-8")


def _looks_recorded(cloud: Path) -> bool:
    names = {f"{a}.json" for a in ACTIONS} | {ERROR_FILE}
    return cloud.is_dir() and all(
        region.is_dir() and not region.is_symlink()
        and all(f.name in names and f.is_file() and not f.is_symlink() for f in region.iterdir())
        for region in cloud.iterdir())


def load_recorded(fleet_dir: Path, inventory: Inventory) -> dict[str, RegionCloud] | None:
    """The recorded cloud of a fleet (None when it has no cloud/): every region of the inventory, a region
    not recorded being an error of its own. Unreadable files are InputError naming them."""
    cloud = fleet_dir / "cloud"
    if not cloud.is_dir():
        return None
    out: dict[str, RegionCloud] = {}
    for region in regions_of(inventory):
        folder = cloud / region
        if not folder.is_dir() or not inside_fleet(fleet_dir, folder):
            out[region] = RegionCloud(region, datetime.now(timezone.utc),
                                      error=f"not recorded: no {folder.relative_to(fleet_dir)}/ in the recording")
            continue
        if (folder / ERROR_FILE).is_file():
            doc = _read(fleet_dir, folder / ERROR_FILE)
            out[region] = RegionCloud(region, _stamp(folder / ERROR_FILE, doc), error=str(doc.get("error")))
            continue
        calls, at = {}, None
        for action in ACTIONS:
            path = folder / f"{action}.json"
            if not path.is_file():
                continue
            doc = _read(fleet_dir, path)
            at = at or _stamp(path, doc)
            if not isinstance(doc.get("calls"), list) or not all(
                    isinstance(c, dict) and isinstance(c.get("request"), dict) and isinstance(c.get("response"), dict)
                    for c in doc["calls"]):
                raise InputError(f"{path}: expected {{\"calls\": [{{\"request\": {{}}, \"response\": {{}}}}]}}")
            calls[action] = doc["calls"]
        try:
            out[region] = region_picture(region, at or datetime.now(timezone.utc), calls)
        except (KeyError, TypeError, AttributeError) as e:
            raise InputError(f"{folder}: an answer lacks a field or has the wrong shape ({type(e).__name__}: {e})") from None
    return out


def _read(fleet_dir: Path, path: Path) -> dict:
    if not inside_fleet(fleet_dir, path):
        raise InputError(f"{path}: leads outside the recorded fleet")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read it: {e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"{path}:{e.lineno}: not JSON: {e.msg}") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: expected a JSON object")
    return doc


def _stamp(path: Path, doc: dict) -> datetime:
    from ecpartner.cloud_state import cloud_time

    at = cloud_time(doc.get("recorded_at")) if isinstance(doc.get("recorded_at"), str) else None
    if at is None:
        raise InputError(f"{path}: recorded_at: expected an ISO 8601 time")
    return at
