"""Who is calling: credentials, identities, and the policy of each RPC.

Every RPC except health checking and reflection needs a credential, taken
from the call, never from request fields:

* a **bearer token** in the ``authorization`` metadata
  (``Bearer <JWT>``), signed with one of the configured keys (EdDSA, ES256
  or RS256), whose issuer, audience and expiry are checked; its claims are
  the identity: ``sub`` (buyer, staff, seller account or service name),
  ``role`` (buyer / seller / operator / service), ``sellers`` (the seller ids
  a seller credential acts for) and ``app`` (the business line, e.g.
  "web-shop");
* or, where the gRPC port has mutual TLS, a **client certificate** whose
  common name is one of the configured services: that service's identity.

A service calling another, or acting on an event it consumed, does so as
its own service identity (``Identity.for_service``).

Each service declares a **policy** per RPC (``Rule``: the roles allowed, and
the ownership rule its use case applies — a buyer acts only on their own
orders, a seller only on their shops...). The server refuses a role not in
the rule before the servicer runs (PERMISSION_DENIED ``ROLE_NOT_ALLOWED``),
and an RPC without a rule (``NO_POLICY``): nothing is allowed by default.
The servicer reads the caller with ``current_identity()``.

Missing or bad credential: UNAUTHENTICATED (``CREDENTIAL_MISSING``,
``CREDENTIAL_INVALID``, ``CREDENTIAL_EXPIRED``) with ErrorInfo. Nothing here
knows gRPC except through the small ``Authenticator.identify`` inputs.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from zhongtai.common.v1 import errors_pb2 as common
from zhongtai.errors import COMMON, ZhongtaiError

ALGORITHMS = ("EdDSA", "ES256", "RS256")
MAX_SUBJECT = 128
MAX_SELLERS = 100


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    OPERATOR = "operator"
    SERVICE = "service"


@dataclass(frozen=True)
class Identity:
    """An authenticated caller."""

    role: Role
    subject: str
    sellers: frozenset[str] = frozenset()
    app: str = ""

    @classmethod
    def for_service(cls, name: str) -> Identity:
        return cls(Role.SERVICE, name)

    def is_buyer(self, buyer_id: str) -> bool:
        """The caller is this buyer."""
        return self.role is Role.BUYER and self.subject == buyer_id

    def acts_for_seller(self, seller_id: str) -> bool:
        """The caller is a seller credential for this seller."""
        return self.role is Role.SELLER and seller_id in self.sellers

    @property
    def is_staff(self) -> bool:
        """An operator or a service: not bound to one buyer or seller."""
        return self.role in (Role.OPERATOR, Role.SERVICE)


_current: contextvars.ContextVar[Identity | None] = contextvars.ContextVar(
    "zhongtai_identity", default=None)


def current_caller() -> Identity | None:
    """The caller of the RPC being served, if any (None outside an RPC)."""
    return _current.get()


def current_identity() -> Identity:
    """The caller of the RPC being served (set by the server before the
    servicer runs)."""
    identity = _current.get()
    if identity is None:
        raise RuntimeError("no caller identity: not inside an authenticated RPC")
    return identity


def set_identity(identity: Identity | None) -> contextvars.Token[Identity | None]:
    return _current.set(identity)


def reset_identity(token: contextvars.Token[Identity | None]) -> None:
    _current.reset(token)


def unauthenticated(reason: int, message: str) -> ZhongtaiError:
    return COMMON(reason, message)


def _mismatch(field: str, who: str) -> ZhongtaiError:
    return COMMON(common.ERROR_REASON_SUBJECT_MISMATCH,
                  f"{field} names a {who} this credential does not act for",
                  metadata={"field": field})


def acting_buyer(identity: Identity, requested: str, field: str = "buyer_id") -> str:
    """The buyer a call acts for: a buyer acts for themself (``requested``
    empty or theirs); an operator or a service names the buyer; a seller
    acts for no buyer (SUBJECT_MISMATCH, PERMISSION_DENIED)."""
    if identity.role is Role.BUYER:
        if requested and requested != identity.subject:
            raise _mismatch(field, "buyer")
        return identity.subject
    if identity.is_staff:
        return requested
    raise _mismatch(field, "buyer")


def acting_seller(identity: Identity, requested: str, field: str = "seller_id") -> str:
    """The seller a call acts for: a seller credential for one of its sellers
    (``requested`` empty only when it acts for exactly one); an operator or a
    service names the seller; a buyer acts for no seller."""
    if identity.role is Role.SELLER:
        if not requested and len(identity.sellers) == 1:
            return next(iter(identity.sellers))
        if requested not in identity.sellers:
            raise _mismatch(field, "seller")
        return requested
    if identity.is_staff:
        return requested
    raise _mismatch(field, "seller")


def may_act_for(identity: Identity, *, buyer_id: str = "", seller_ids: Iterable[str] = ()
                ) -> bool:
    """Whether the caller may act on a resource of this buyer or of these
    sellers: staff always; a buyer on their own; a seller on its sellers'."""
    if identity.is_staff:
        return True
    if identity.role is Role.BUYER:
        return bool(buyer_id) and identity.subject == buyer_id
    return any(s in identity.sellers for s in seller_ids)


# --- keys ----------------------------------------------------------------------


def new_signing_key() -> bytes:
    """A new Ed25519 private key (PKCS#8 PEM)."""
    key = ed25519.Ed25519PrivateKey.generate()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_of(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


DEV_KEY_MARK = b"# zhongtai development key: never use it outside the embedded mode\n"


def dev_key_path(data_dir: Path) -> Path:
    return data_dir / "dev-signing-key.pem"


def load_or_create_dev_key(data_dir: Path) -> bytes:
    """The embedded mode's development signing key, created on first use
    (readable by its owner only) and marked as such (``is_dev_key``): a
    distributed process refuses it."""
    path = dev_key_path(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(DEV_KEY_MARK + new_signing_key())
    return path.read_bytes()


def is_dev_key(pem: bytes) -> bool:
    return DEV_KEY_MARK.strip() in pem


# --- tokens --------------------------------------------------------------------


@dataclass(frozen=True)
class TokenIssuer:
    """Mints tokens with a private key (``zhongtai token``; a service's own
    identity for the calls it makes)."""

    private_key: bytes
    issuer: str
    audience: str

    def issue(self, identity: Identity, ttl: dt.timedelta,
              now: dt.datetime | None = None) -> str:
        now = now or dt.datetime.now(dt.UTC)
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": identity.subject,
            "role": identity.role.value, "iat": int(now.timestamp()),
            "exp": int((now + ttl).timestamp())}
        if identity.sellers:
            claims["sellers"] = sorted(identity.sellers)
        if identity.app:
            claims["app"] = identity.app
        key = serialization.load_pem_private_key(self.private_key, password=None)
        algorithm = "EdDSA" if isinstance(key, ed25519.Ed25519PrivateKey) else "ES256"
        return jwt.encode(claims, key, algorithm=algorithm)  # type: ignore[arg-type]


@dataclass
class ServiceTokens:
    """A service's own credential for the calls it makes: a token minted for
    ``Identity.for_service(name)``, renewed when a third of its life is left."""

    issuer: TokenIssuer
    name: str
    ttl: dt.timedelta = dt.timedelta(minutes=5)
    _token: str = field(default="", init=False, repr=False)
    _renew_at: dt.datetime = field(default=dt.datetime.min.replace(tzinfo=dt.UTC),
                                   init=False, repr=False)

    def __call__(self) -> str:
        now = dt.datetime.now(dt.UTC)
        if now >= self._renew_at:
            self._token = self.issuer.issue(Identity.for_service(self.name), self.ttl, now)
            self._renew_at = now + self.ttl * 2 / 3
        return self._token


@dataclass
class TokenVerifier:
    """Verifies bearer tokens against the configured public keys (several:
    keys rotate by adding the new one before retiring the old)."""

    public_keys: Sequence[bytes]
    issuer: str
    audience: str
    leeway_seconds: float = 30.0
    _keys: list[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.public_keys:
            raise ValueError("no public key to verify tokens with")
        self._keys = [serialization.load_pem_public_key(k) for k in self.public_keys]

    def verify(self, token: str) -> Identity:
        claims: dict[str, Any] | None = None
        expired = False
        for key in self._keys:
            try:
                claims = jwt.decode(token, key, algorithms=list(ALGORITHMS),
                                    audience=self.audience, issuer=self.issuer,
                                    leeway=self.leeway_seconds,
                                    options={"require": ["exp", "iat", "sub", "iss", "aud"]})
                break
            except jwt.ExpiredSignatureError:
                expired = True
            except jwt.InvalidTokenError:
                continue
        if claims is None:
            if expired:
                raise unauthenticated(common.ERROR_REASON_CREDENTIAL_EXPIRED,
                                      "the credential has expired")
            raise unauthenticated(common.ERROR_REASON_CREDENTIAL_INVALID,
                                  "the credential is not valid")
        return identity_from_claims(claims)


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    def invalid(why: str) -> ZhongtaiError:
        return unauthenticated(common.ERROR_REASON_CREDENTIAL_INVALID,
                               f"the credential is not valid: {why}")

    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject.strip() or len(subject) > MAX_SUBJECT:
        raise invalid(f"sub must be 1 to {MAX_SUBJECT} characters")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise invalid(f"role must be one of {', '.join(r.value for r in Role)}") from None
    sellers = claims.get("sellers", [])
    if (not isinstance(sellers, list) or len(sellers) > MAX_SELLERS
            or not all(isinstance(s, str) and 0 < len(s) <= MAX_SUBJECT for s in sellers)):
        raise invalid("sellers must be a list of seller ids")
    if role is Role.SELLER and not sellers:
        raise invalid("a seller credential names the sellers it acts for")
    app = claims.get("app", "")
    if not isinstance(app, str) or len(app) > MAX_SUBJECT:
        raise invalid("app must be a short string")
    return Identity(role, subject, frozenset(sellers), app)


# --- the server side -----------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """Who may call one RPC: the roles, which services (when the service
    role is allowed only to some: a saga's participant calls are the saga
    owner's), and (for the docs and the policy test) the ownership rule the
    use case applies on top."""

    roles: frozenset[Role]
    ownership: str = ""
    services: frozenset[str] = frozenset()

    def admits(self, identity: Identity) -> bool:
        if identity.role not in self.roles:
            return False
        return (identity.role is not Role.SERVICE or not self.services
                or identity.subject in self.services)


def allow(*roles: Role, ownership: str = "", services: Iterable[str] = ()) -> Rule:
    return Rule(frozenset(roles), ownership, frozenset(services))


BUYER, SELLER, OPERATOR, SERVICE = Role.BUYER, Role.SELLER, Role.OPERATOR, Role.SERVICE
ANYONE = (BUYER, SELLER, OPERATOR, SERVICE)
STAFF = (OPERATOR, SERVICE)


AccessPolicy = Mapping[str, Rule]  # by method name ("CreateOrder")


@dataclass
class Authenticator:
    """Turns a call's credential into an identity and applies the policies.

    ``policies`` maps a gRPC service's full name to its per-method rules;
    ``cert_services`` are the services a client certificate may stand for
    (its common name), on an mTLS port.
    """

    verifier: TokenVerifier
    policies: dict[str, AccessPolicy] = field(default_factory=dict)
    cert_services: frozenset[str] = frozenset()

    def add_policy(self, service: str, policy: AccessPolicy) -> None:
        self.policies[service] = policy

    def identify(self, authorization: str | None, cert_names: Iterable[str] = ()) -> Identity:
        """The caller from the ``authorization`` metadata (preferred) or the
        verified client certificate's names."""
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise unauthenticated(common.ERROR_REASON_CREDENTIAL_INVALID,
                                      "authorization must be 'Bearer <token>'")
            return self.verifier.verify(token.strip())
        for name in cert_names:
            if name in self.cert_services:
                return Identity.for_service(name)
        raise unauthenticated(common.ERROR_REASON_CREDENTIAL_MISSING,
                              "this call needs a credential: an 'authorization: Bearer "
                              "<token>' metadata entry (see `zhongtai token`)")

    def check(self, full_method: str, identity: Identity) -> None:
        """Refuse the call unless the method's rule allows the caller's role."""
        service, _, method = full_method.strip("/").partition("/")
        rule = self.policies.get(service, {}).get(method)
        if rule is None:
            raise COMMON(common.ERROR_REASON_NO_POLICY,
                         f"{full_method} has no access policy; nobody may call it",
                         metadata={"method": full_method[:200]})
        if not rule.admits(identity):
            who = (f"service {identity.subject}" if identity.role is Role.SERVICE
                   else f"a {identity.role.value}")
            raise COMMON(common.ERROR_REASON_ROLE_NOT_ALLOWED, f"{who} may not call {method}",
                         metadata={"method": method, "role": identity.role.value})


# --- configuration -----------------------------------------------------------


@dataclass(frozen=True)
class AuthSettings:
    """The [auth] section (``ZHONGTAI_AUTH_<FIELD>``, ``..._FILE`` for a value
    kept in a file).

    Embedded (every service in one process, in-process broker) with no keys
    configured, a development signing key is created in the data directory
    and used to verify tokens and sign the services' own; ``zhongtai token``
    mints tokens with it. A distributed process refuses to start without
    configured keys, and with the development key.
    """

    issuer: str = "zhongtai"
    audience: str = "zhongtai"
    # PEM public keys tokens are verified with (several while keys rotate).
    public_key_files: tuple[str, ...] = ()
    # The PEM private key this process signs its services' own tokens (and
    # `zhongtai token`'s) with; its public key must be among the above.
    signing_key_file: str = ""
    service_token_ttl_seconds: float = 300.0
    # TLS on the gRPC port and on calls to the other services (PEM files:
    # this process's certificate and key, and the CA that signed every
    # service's certificate). With tls_mutual, every caller presents a
    # certificate signed by that CA, and one whose common name is a service
    # name is that service's identity (mTLS).
    tls_cert_file: str = ""
    tls_key_file: str = ""
    tls_ca_file: str = ""
    tls_mutual: bool = False


@dataclass(frozen=True)
class Access:
    """What a process needs to authenticate callers and call as itself."""

    authenticator: Authenticator
    issuer: TokenIssuer
    ttl: dt.timedelta

    def tokens_for(self, service: str) -> ServiceTokens:
        return ServiceTokens(self.issuer, service, self.ttl)


def load_access(config: AuthSettings, data_dir: Path, *, embedded: bool,
                services: Iterable[str]) -> Access:
    """Keys and verifier from the configuration (see ``AuthSettings``)."""
    if config.public_key_files or config.signing_key_file:
        if not (config.public_key_files and config.signing_key_file):
            raise ValueError("set both ZHONGTAI_AUTH_PUBLIC_KEY_FILES and "
                             "ZHONGTAI_AUTH_SIGNING_KEY_FILE (or neither, embedded)")
        public = [Path(p).read_bytes() for p in config.public_key_files]
        signing = Path(config.signing_key_file).read_bytes()
    elif embedded:
        signing = load_or_create_dev_key(data_dir)
        public = [public_key_of(signing)]
    else:
        raise ValueError("a service running on its own needs its keys: set "
                         "ZHONGTAI_AUTH_PUBLIC_KEY_FILES and ZHONGTAI_AUTH_SIGNING_KEY_FILE "
                         "(see docs/security.md)")
    if not embedded and is_dev_key(signing):
        raise ValueError("the development signing key is for the embedded mode only; "
                         "configure your own keys")
    if public_key_of(signing) not in public:
        raise ValueError("the signing key's public key is not among the verifying keys")
    verifier = TokenVerifier(public, config.issuer, config.audience)
    return Access(Authenticator(verifier, cert_services=frozenset(services)),
                  TokenIssuer(signing, config.issuer, config.audience),
                  dt.timedelta(seconds=config.service_token_ttl_seconds))
