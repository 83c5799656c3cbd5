"""Signed checkpoints of the Event chain: what makes truncation and rewriting detectable.

The hash chain (``core.events``) shows a changed row, but someone who can write the database can also
delete the last rows and rewind the chain head, or rewrite a row and recompute every later hash: the
chain is then consistent again. A checkpoint is the chain head (sequence number and hash) signed with an
Ed25519 key that lives in a file outside the database (``MINSHENG["EVENT_SIGNING_KEY"]``). Each one is
stored, shown on a public page, and appended to a file a day (``MINSHENG["CHECKPOINT_DIR"]``) meant to be
copied off the server. ``checkpoints_verify`` then finds:

- truncation: a checkpoint names an Event that no longer exists (the first missing row is reported);
- rewriting: the Event a checkpoint names has another hash (the change lies after the previous
  checkpoint and at or before this one, and that row is reported);
- forged checkpoints: a signature that does not verify, or a key that is neither the configured one nor
  one of ``MINSHENG["EVENT_TRUSTED_KEYS"]`` (earlier keys, after a rotation).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core.conf import setting
from minsheng.core.events import chain_head_locked
from minsheng.core.models import Event, EventCheckpoint

logger = logging.getLogger(__name__)

FORMAT = "minsheng-event-checkpoint/1"


@dataclass(frozen=True)
class SignedHead:
    """A checkpoint as published: enough to verify it anywhere with the public key."""

    seq: int
    hash: str
    at: dt.datetime
    public_key: str
    signature: str

    def line(self) -> str:
        """One line of a published checkpoint file."""
        at = self.at.astimezone(dt.UTC).isoformat(timespec="seconds")
        return f"{FORMAT} seq={self.seq} hash={self.hash} at={at} key={self.public_key} sig={self.signature}"

    @classmethod
    def from_line(cls, line: str) -> SignedHead | None:
        parts = line.split()
        if not parts or parts[0] != FORMAT:
            return None
        fields = dict(part.split("=", 1) for part in parts[1:] if "=" in part)
        try:
            return cls(
                seq=int(fields["seq"]),
                hash=fields["hash"],
                at=dt.datetime.fromisoformat(fields["at"]),
                public_key=fields["key"],
                signature=fields["sig"],
            )
        except (KeyError, ValueError):
            return None


def signed_message(seq: int, head_hash: str, at: dt.datetime) -> bytes:
    """The exact bytes that are signed: the format, the sequence number, the hash and the time (UTC)."""
    stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
    return f"{FORMAT}\nseq={seq}\nhash={head_hash}\nat={stamp}\n".encode()


# --- the key ------------------------------------------------------------------------------------------


def signing_key_path() -> Path:
    return Path(setting("EVENT_SIGNING_KEY"))


def signing_key_create(path: Path | None = None) -> Path:
    """Write a new Ed25519 private key (PEM, readable by the service's user only). Never overwrites."""
    path = path or signing_key_path()
    if path.exists():
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    path.chmod(0o600)
    return path


def signing_key_load() -> Ed25519PrivateKey | None:
    path = signing_key_path()
    if not path.exists():
        return None
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def public_key_text(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_fingerprint(public_key: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key)).hexdigest()[:16]


def trusted_public_keys() -> set[str]:
    """The configured key's public half and the earlier keys still trusted."""
    keys = set(setting("EVENT_TRUSTED_KEYS", []) or [])
    current = signing_key_load()
    if current is not None:
        keys.add(public_key_text(current))
    return keys


# --- signing and publishing ---------------------------------------------------------------------------


def checkpoint_sign(*, now: dt.datetime | None = None) -> EventCheckpoint | None:
    """Sign the current chain head; None when there is no key or no Event. Idempotent per head."""
    key = signing_key_load()
    if key is None:
        logger.warning("No event signing key at %s: no checkpoint written.", signing_key_path())
        return None
    at = (now or timezone.now()).replace(microsecond=0)
    with transaction.atomic():
        head = chain_head_locked()  # no Event can be appended while we sign
        if head.last_seq == 0:
            return None
        existing = EventCheckpoint.objects.filter(seq=head.last_seq).first()
        if existing is not None:
            return existing
        signature = base64.b64encode(key.sign(signed_message(head.last_seq, head.last_hash, at))).decode()
        checkpoint = EventCheckpoint.objects.create(
            seq=head.last_seq,
            hash=head.last_hash,
            at=at,
            public_key=public_key_text(key),
            signature=signature,
        )
        transaction.on_commit(lambda: checkpoint_publish(checkpoint))
    return checkpoint


def _signed(checkpoint: EventCheckpoint) -> SignedHead:
    return SignedHead(
        checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.public_key, checkpoint.signature
    )


def checkpoint_file(day: dt.date) -> Path:
    return Path(setting("CHECKPOINT_DIR")) / f"checkpoints-{day:%Y-%m-%d}.txt"


def checkpoint_publish(checkpoint: EventCheckpoint) -> Path:
    """Append the checkpoint to the day's file (the daily report of checkpoints, for off-site copies)."""
    path = checkpoint_file(timezone.localtime(checkpoint.at).date())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(_signed(checkpoint).line() + "\n")
    return path


def checkpoints_published(folder: Path | None = None) -> list[SignedHead]:
    """Every checkpoint line in the published files (a folder of copies may be given)."""
    folder = folder or Path(setting("CHECKPOINT_DIR"))
    found: list[SignedHead] = []
    for path in sorted(folder.glob("checkpoints-*.txt")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            signed = SignedHead.from_line(line)
            if signed is not None:
                found.append(signed)
    return found


# --- verifying ------------------------------------------------------------------------------------


def signature_valid(signed: SignedHead) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(signed.public_key))
        public.verify(base64.b64decode(signed.signature), signed_message(signed.seq, signed.hash, signed.at))
    except (InvalidSignature, ValueError):
        return False
    return True


def checkpoints_verify(*, extra: list[SignedHead] | None = None) -> list[str]:
    """Check the Event chain against every checkpoint (stored, published, and ``extra`` copies).

    Returns the problems, the first row that disagrees first; an empty list means every checkpoint
    holds. The chain's own consistency is ``events_verify``'s job.
    """
    problems: list[str] = []
    trusted = trusted_public_keys()
    heads: dict[tuple[int, str, str], SignedHead] = {}
    for signed in [
        *map(_signed, EventCheckpoint.objects.order_by("seq")),
        *checkpoints_published(),
        *(extra or []),
    ]:
        heads.setdefault((signed.seq, signed.hash, signed.signature), signed)
    valid: list[SignedHead] = []
    for signed in sorted(heads.values(), key=lambda s: s.seq):
        if not signature_valid(signed):
            problems.append(
                _("The checkpoint of event #%(seq)s has an invalid signature: it was forged or altered.")
                % {"seq": signed.seq}
            )
        elif signed.public_key not in trusted:
            problems.append(
                _("The checkpoint of event #%(seq)s is signed by an unknown key (%(key)s).")
                % {"seq": signed.seq, "key": key_fingerprint(signed.public_key)}
            )
        else:
            valid.append(signed)
    last = Event.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    hashes = dict(Event.objects.filter(seq__in=[s.seq for s in valid]).values_list("seq", "hash"))
    previous = 0
    for signed in valid:
        local = timezone.localtime(signed.at).strftime("%Y-%m-%d %H:%M")
        if signed.seq not in hashes:
            problems.append(
                _(
                    "Event #%(first)s is missing: the checkpoint of %(time)s signed the chain up to "
                    "#%(seq)s, but it now ends at #%(last)s (rows were deleted and the head rewound)."
                )
                % {"first": min(last + 1, signed.seq), "time": local, "seq": signed.seq, "last": last}
            )
            break
        if hashes[signed.seq] != signed.hash:
            problems.append(
                _(
                    "Event #%(seq)s disagrees with the checkpoint of %(time)s: rows #%(start)s to #%(seq)s "
                    "were rewritten and the later hashes recomputed."
                )
                % {"seq": signed.seq, "time": local, "start": previous + 1}
            )
            break
        previous = signed.seq
    return problems


def checkpoints_latest(limit: int = 50) -> list[EventCheckpoint]:
    return list(EventCheckpoint.objects.order_by("-seq")[:limit])
