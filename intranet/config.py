"""Default configuration.

Overridden, in this order, by ``instance/config.py`` and by environment variables
(``DATABASE_URL``, ``SECRET_KEY``, ``MAIL_*``, ``TRUSTED_NETWORKS``, ``SEARCH_BACKEND``…).
"""
from datetime import timedelta

SITE_NAME = "Territoires"
SITE_TAGLINE = "L'intranet des collectivités de Lot-et-Garonne"
DEPARTEMENT_CODE = "47"

# SQLALCHEMY_DATABASE_URI is filled in by create_app (SQLite in instance/ by default).
SQLALCHEMY_ENGINE_OPTIONS: dict = {}
# A pooled connection that rested longer than this (seconds) is tested before a request uses
# it, and replaced if the database went away meanwhile (core/reconnect.py).
DATABASE_PING_AFTER_IDLE = 1.0

# The accessibility statement (/accessibilite, RGAA): how to tell the platform about a content
# someone cannot reach (an address, and a contact form if there is one), and the date of the
# statement as long as no audit is recorded (once one is, its own date is shown).
ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@territoires47.fr"
ACCESSIBILITY_CONTACT_URL: str | None = None
ACCESSIBILITY_STATEMENT_DATE = "2026-12-05"

# Passwords (accounts/passwords.py): Argon2id with OWASP's parameters (19 MiB, 2 passes, 1
# lane); older hashes (Werkzeug's scrypt, PBKDF2) are replaced at the next sign-in. A Werkzeug
# method name ("pbkdf2:sha256:1000") may be given instead of "argon2id" (the tests do, for speed).
PASSWORD_HASH_METHOD = "argon2id"
PASSWORD_ARGON2_MEMORY_KIB = 19 * 1024
PASSWORD_ARGON2_TIME_COST = 2
PASSWORD_ARGON2_PARALLELISM = 1
# Lengths (ANSSI, ASVS 5.0): no composition rules, no forced rotation, no common password.
PASSWORD_MIN_LENGTH = 12
PASSWORD_ADMIN_MIN_LENGTH = 16   # organisation admins and platform admins
PASSWORD_MAX_LENGTH = 128

# Tokens sent by email.
PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
INVITATION_MAX_AGE = timedelta(days=14)

# Sessions (accounts/sessions.py): each sign-in opens a record on the server; the signed
# cookie only carries its random key. A session ends after SESSION_IDLE_TIMEOUT without a
# request and SESSION_ABSOLUTE_TIMEOUT after sign-in; with « Se souvenir de moi », after
# REMEMBER_COOKIE_DURATION (both limits).
SESSION_IDLE_TIMEOUT = timedelta(hours=2)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
# The cookie is signed once, at sign-in, and expires with the session's absolute limit; it is
# not signed again on every page (Flask's default), which cost every signed-in page about 6 %
# of its work for an expiry date that could never be later than the server's own limit.
SESSION_REFRESH_EACH_REQUEST = False
# A form's CSRF token lives as long as the session (Flask-WTF's default is one hour: a form left
# open over lunch would be refused while its author is still signed in).
WTF_CSRF_TIME_LIMIT = int(PERMANENT_SESSION_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = timedelta(days=14)
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
# Cookies marked Secure and named with the __Host- prefix (session and « remember me »): True
# when served over HTTPS. None: decided by PUBLIC_BASE_URL's scheme.
SECURE_COOKIES: bool | None = None

# Login throttling: failures counted in the audit log over a sliding window; after
# LOGIN_MAX_FAILURES_PER_ACCOUNT the account is locked for LOGIN_LOCK_DURATION and its owner
# gets an email (an admin can unlock it sooner, a password reset does too).
LOGIN_THROTTLE_WINDOW = timedelta(minutes=15)
LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 30
LOGIN_LOCK_DURATION = timedelta(minutes=15)

# Request rate limits (Flask-Limiter, core/limits.py), per address and per account. The
# counters live in RATELIMIT_STORAGE_URI: "memory://" keeps them in each process; with several
# workers or servers, point every one at the same Redis ("redis://127.0.0.1:6379/0").
LIMITS_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_KEY_PREFIX = "territoires"
RATELIMIT_STRATEGY = "moving-window"
# Redis unreachable: each process counts in memory meanwhile, and no request fails because of it.
RATELIMIT_SWALLOW_ERRORS = True
RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
# Limits by name (limits' syntax, several separated by ";"): "<name>" per address,
# "<name>:account" per account.
RATE_LIMITS = {
    "sign-in": "30 per minute; 300 per hour",
    "sign-in:account": "10 per minute; 60 per hour",
    "password-reset": "10 per minute; 60 per hour",
    "password-reset:account": "3 per 15 minutes; 10 per day",
    "invitation": "20 per minute",
    "second-factor": "20 per minute",
    "second-factor:account": "10 per minute; 60 per hour",
    "proconnect": "30 per minute",
    "messaging:account": "30 per minute; 300 per day",
    "lists:account": "20 per minute; 200 per day",
    "share-link": "10 per minute; 50 per hour",
}

# Number of reverse proxies in front of the application whose X-Forwarded-For is trusted
# (0: none, the connection's address is the client's).
PROXY_FIX_X_FOR = 0

# Networks from which a password alone is enough (the "intranet"); elsewhere is the extranet.
TRUSTED_NETWORKS = ["127.0.0.0/8", "::1/128"]

# ProConnect (the State's OpenID Connect federation for public agents): off while the issuer,
# client id or secret is unset. The issuer is the address whose
# ``/.well-known/openid-configuration`` describes the provider, e.g.
# https://auth.agentconnect.gouv.fr/api/v2 (production) or
# https://fca.integ01.dev-agentconnect.fr/api/v2 (integration).
PROCONNECT_ISSUER: str | None = None
PROCONNECT_CLIENT_ID: str | None = None
PROCONNECT_CLIENT_SECRET: str | None = None
PROCONNECT_SCOPES = "openid email given_name usual_name siret uid idp_id"
PROCONNECT_TIMEOUT_SECONDS = 10      # each call to the provider
PROCONNECT_METADATA_MAX_AGE = timedelta(hours=1)   # discovery and keys kept this long per process
PROCONNECT_CLOCK_LEEWAY_SECONDS = 60  # clock difference tolerated on exp and iat

# The second factor (accounts/mfa/): asked outside TRUSTED_NETWORKS, and everywhere of admins.
# Name shown in authenticator apps next to the person's address.
MFA_TOTP_ISSUER = "Territoires"
# Time between the password and the second factor before the password must be given again.
MFA_PENDING_MAX_AGE = timedelta(minutes=10)
# Wrong codes in a row after which the password must be given again (each one is audited).
MFA_MAX_FAILURES = 5
# « Faire confiance à ce navigateur » lasts this long.
MFA_TRUSTED_BROWSER_LIFETIME = timedelta(days=30)
# Passkeys (WebAuthn): the relying party's id (a domain, e.g. "intranet.territoires47.fr") and
# the origin browsers report ("https://intranet.territoires47.fr"); None: the request's host.
WEBAUTHN_RP_ID: str | None = None
WEBAUTHN_ORIGIN: str | None = None

# Uploads.
MAX_CONTENT_LENGTH = 20 * 1024 * 1024
PHOTO_MAX_BYTES = 2 * 1024 * 1024

# Mail: the outbox worker sends through SMTP when MAIL_SERVER is set, prints otherwise.
MAIL_SERVER = None
MAIL_PORT = 25
MAIL_USE_TLS = False
MAIL_USE_SSL = False
MAIL_USERNAME = None
MAIL_PASSWORD = None
MAIL_DEFAULT_SENDER = "Territoires <ne-pas-repondre@territoires47.fr>"
MAIL_RETRY_BASE_SECONDS = 60
MAIL_GIVE_UP_AFTER = timedelta(days=2)

PAGE_SIZE = 50

# Public address used in emails (links must work from outside the request).
PUBLIC_BASE_URL = "http://127.0.0.1:5000"

# Largest uploaded document; requests up to MAX_CONTENT_LENGTH get a French error instead of 413.
UPLOAD_MAX_BYTES = 15 * 1024 * 1024
# Where uploaded files are stored (None: instance/uploads). Several application servers share
# one folder (NFS or another network file system), given here or by the environment.
UPLOAD_DIR = None

# Domain of the addresses mail is received at: replies (reply+…@) and mailing lists.
REPLY_DOMAIN = "territoires47.fr"
LISTS_DOMAIN = "lists.territoires47.fr"
# Other domains whose senders' mail the lists forward without rewriting From: (DMARC aligned).
LISTS_ALIGNED_DOMAINS: list[str] = []
# Largest message the list listener accepts.
LISTS_MAX_MESSAGE_BYTES = 10 * 1024 * 1024
# Delivery errors (bounces) after which a subscriber's delivery is suspended: a new list's
# default (« Réglages avancés » of the list form).
LISTS_BOUNCE_THRESHOLD = 5
# Days a delivery error (bounce) counts in a subscriber's score: older ones are forgotten by a
# daily round of the worker, so the score decays.
LISTS_BOUNCE_RETENTION_DAYS = 90
# A list post up to this size (text and attachments) is sent with its attachments; a larger one
# with links to them in the archive instead: a new list's default (« Réglages avancés »).
LISTS_MAX_FORWARD_BYTES = 2 * 1024 * 1024
# The worker connects to SMTP but sends nothing (a test setting of Flask-Mail).
MAIL_SUPPRESS_SEND = False

# Search: "whoosh" (an index on this machine's disk) or "postgres" (in the database).
SEARCH_BACKEND = "whoosh"
# Where the Whoosh index lives (None: instance/search).
SEARCH_INDEX_DIR = None
# How stale a process's Whoosh searcher may be, in seconds.
SEARCH_REFRESH_SECONDS = 0.5
# What each process keeps of the Whoosh index between queries, in MB.
SEARCH_CACHE_MB = 64
# PostgreSQL backend: a search whose words the planner expects in more documents than
# SEARCH_PG_EXACT_UP_TO (with the person's and the request's filters) ranks and counts only the
# SEARCH_PG_RANKED_MOST most recent of them, and says so. Reading every match costs one visit
# of the table per match (300 ms for a word in 80,000 of 290,000 documents); the most recent
# ones, through the date index, about SEARCH_PG_RANKED_MOST visits. The two costs meet near
# sqrt(SEARCH_PG_RANKED_MOST × documents): 17,000 at département scale.
SEARCH_PG_EXACT_UP_TO = 15_000
SEARCH_PG_RANKED_MOST = 1_000
# Saved searches: how far back (days) a mail looks for results not mailed yet (a deliberation
# published some days after its sitting is dated by its sitting).
SAVED_SEARCH_LOOKBACK_DAYS = 31

# Forums.
FORUM_POSTS_PER_PAGE = 20
FORUM_TOPICS_PER_PAGE = 30
# Throttling of new posts, and how long an account counts as new (its posts are held).
FORUM_POSTS_PER_MINUTE = 5
FORUM_NEW_ACCOUNT_DAYS = 7
# How often each process writes the topic view counters it has gathered.
FORUM_VIEW_FLUSH_SECONDS = 2.0

# Messaging: how long after sending a message its author may change or delete it; conversations
# of at most this many participants show who has read each message.
MESSAGE_EDIT_MINUTES = 15
MESSAGE_READ_RECEIPTS_MAX = 10

# Files of a refused form, kept for their owner so the form shown again carries them
# (core/pending.py): at most this much per person, purged by the worker after this age.
PENDING_UPLOAD_MAX_BYTES = 50 * 1024 * 1024
PENDING_UPLOAD_MAX_AGE = timedelta(hours=24)

# Document libraries: a file « verrouillé pour modification » is released after this many
# hours; binned pages, documents and folders are purged by the worker after this many days;
# a link shared outside the network lives at most this many days.
DOCUMENTS_LOCK_HOURS = 8
DOCUMENTS_BIN_RETENTION_DAYS = 30
DOCUMENTS_SHARE_MAX_DAYS = 90

# Job exchange. Applications (CV and letter, PDF only) at most this size each; kept this many
# days after their offer ended, then deleted with their files by the worker (`flask jobs purge`).
JOBS_APPLICATION_MAX_BYTES = 5 * 1024 * 1024
JOBS_APPLICATION_RETENTION_DAYS = 183
# A corrected copy of data/fpt-filieres-cadres-grades.csv (same layout), when the shipped
# transcription needs correcting; None: the shipped list.
JOBS_GRADES_CSV = None
# Classified ads (intranet/ads/): online this long, renewed by as much; the reminder mail (with
# its one-click renewal link, valid this long) goes this long before the end; photos per ad and
# the two sizes each photo is re-encoded to (longest side, in pixels).
AD_LIFETIME = timedelta(days=60)
AD_REMINDER_BEFORE = timedelta(days=7)
AD_RENEWAL_LINK_MAX_AGE = timedelta(days=30)
AD_MAX_PHOTOS = 6
AD_PHOTO_SIZES = (320, 1280)

# /.well-known/security.txt (RFC 9116): how to report a vulnerability. SECURITY_CONTACTS are
# « mailto: » or « https: » addresses, most preferred first; SECURITY_TXT_EXPIRES is the date
# (ISO 8601) after which the file is to be read as stale: set it when deploying, less than a
# year ahead (unset, the file says 180 days after the process started, so it never goes stale
# unnoticed). SECURITY_POLICY_URL: the page that says how reports are handled, if any.
SECURITY_CONTACTS = ["mailto:securite@territoires47.fr"]
SECURITY_TXT_EXPIRES: str | None = None
SECURITY_POLICY_URL: str | None = None

# Personal data (intranet/privacy/): how long the audit log and the sign-in history (ended
# sessions) are kept, applied each day by `flask worker`; mailing-list bounces are forgotten
# after LISTS_BOUNCE_RETENTION_DAYS (lists package). The public page « Données personnelles »
# reads these periods, and names who to ask: the data protection officer (DPO) and an address.
PRIVACY_AUDIT_RETENTION_DAYS = 365
PRIVACY_SIGNIN_RETENTION_DAYS = 180
PRIVACY_CONTROLLER = "Département de Lot-et-Garonne"
PRIVACY_DPO_NAME = "Délégué à la protection des données du Département"
PRIVACY_CONTACT_EMAIL = "dpo@territoires47.fr"
