"""Where the application holds something about a person: one declaration per foreign key to
``user_account``, read by the export (what the person downloads) and by the erasure (what
becomes of the row). A model that refers to a person and is not declared here fails
``tests/privacy/test_registry.py``, so a new domain cannot forget its part.

Each ``Holding`` says, for one column:

- ``section``: the file of the archive its rows go to (``None``: not exported, and ``why``
  says why — mostly a trace left on someone else's content, which is theirs, not the
  person's); ``columns`` narrows what is exported (default: every column but secrets);
  ``where`` narrows the rows (sign-in lines of the audit log);
- ``erase``: what the confirmed erasure does — ``KEEP`` (the content stays, signed by the
  anonymised account), ``DELETE`` (the rows go), ``UNLINK`` (the row stays without the
  person), or a function of the person's id for the cases that need more (files to remove).

``TEXT_COPIES`` lists the columns where a person's name or address was copied as text (a
list message's sender, a notification's title, an activity line, the audit log…): the
erasure replaces it there with the neutral label.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, or_

KEEP, DELETE, UNLINK = "keep", "delete", "unlink"

# Never exported, whoever they belong to: the secrets of an account.
SECRET_WORDS = ("secret", "hash", "token", "digest", "credential", "public_key", "code")

# The audit log's lines about signing in, which are the person's sign-in history.
SIGN_IN_ACTIONS = ("login.", "logout", "mfa.", "password.", "account.locked",
                   "account.unlocked", "sessions.")

NOT_THEIRS = "trace d'une action sur le contenu d'autrui"


def sign_in_lines(table: Table) -> ColumnElement[bool]:
    action = table.c.action
    return or_(*(action.startswith(prefix) if prefix.endswith(".") else action == prefix
                 for prefix in SIGN_IN_ACTIONS))


@dataclass(frozen=True)
class Holding:
    table: str
    column: str
    erase: str | Callable[[int], None]
    section: str | None = None
    label: str = ""
    columns: tuple[str, ...] | None = None
    where: Callable[[Table], ColumnElement[bool]] | None = None
    why: str = ""


def _delete_applications(user_id: int) -> None:
    from . import erasure
    erasure.delete_job_applications(user_id)


def _delete_pending(user_id: int) -> None:
    from . import erasure
    erasure.delete_pending_uploads(user_id)


def _delete_sign_in_lines(user_id: int) -> None:
    from . import erasure
    erasure.delete_sign_in_lines(user_id)


def _free_positions(user_id: int) -> None:
    from . import erasure
    erasure.free_positions(user_id)


H = Holding
HOLDINGS: tuple[Holding, ...] = (
    # --- the account and how the person signs in ---
    H("membership", "user_id", DELETE, "organisations", "Organisations et rôles"),
    H("space_member", "user_id", DELETE, "espaces", "Espaces de travail"),
    H("user_session", "user_id", DELETE, "historique_connexions", "Sessions de connexion"),
    H("audit_event", "actor_id", _delete_sign_in_lines, "journal_connexions",
      "Connexions inscrites au journal", where=sign_in_lines,
      columns=("created_at", "action", "ip")),
    H("external_identity", "user_id", DELETE, "identites_externes",
      "Comptes ProConnect liés", columns=("provider", "created_at", "last_used_at")),
    H("mfa_totp", "user_id", DELETE, "second_facteur", "Application d'authentification",
      columns=("confirmed_at", "created_at")),
    H("mfa_passkey", "user_id", DELETE, "cles_acces", "Clés d'accès",
      columns=("name", "created_at", "last_used_at")),
    H("mfa_recovery_code", "user_id", DELETE, why="codes secrets"),
    H("mfa_trusted_browser", "user_id", DELETE, "navigateurs_de_confiance",
      "Navigateurs de confiance", columns=("label", "ip", "created_at", "expires_at")),
    H("pending_upload", "owner_id", _delete_pending, "fichiers_en_attente",
      "Fichiers en attente d'un formulaire", columns=("original_name", "size", "created_at")),
    # --- what the person chose to receive ---
    H("notification", "user_id", DELETE, "notifications", "Notifications reçues",
      columns=("kind", "url", "created_at", "read_at")),
    H("notification", "actor_id", KEEP, why=NOT_THEIRS),
    H("notification_preference", "user_id", DELETE, "preferences_notifications",
      "Préférences de notification"),
    H("notification_settings", "user_id", DELETE, "reglages_notifications",
      "Réglages des notifications"),
    H("aid_alert", "user_id", DELETE, "alertes_aides", "Alertes sur les aides"),
    H("job_alert", "user_id", DELETE, "alertes_emplois", "Alertes sur les offres d'emploi"),
    H("job_follow", "user_id", DELETE, "offres_suivies", "Offres d'emploi suivies"),
    H("list_subscriber", "user_id", DELETE, "abonnements_listes",
      "Abonnements aux listes de diffusion"),
    H("mailing_list_moderator", "user_id", DELETE, "moderation_listes",
      "Listes de diffusion modérées"),
    H("forum_subscription", "user_id", DELETE, "abonnements_forums", "Abonnements aux forums"),
    H("forum_read", "user_id", DELETE, "lecture_forums", "Sujets de forum lus"),
    H("forum_visit", "user_id", DELETE, "visites_forums", "Visites des forums"),
    H("forum_like", "user_id", DELETE, "forums_j_aime", "Messages de forum aimés"),
    H("forum_draft", "user_id", DELETE, "forums_brouillons", "Brouillons de forum"),
    H("saved_search", "user_id", DELETE, "recherches_enregistrees", "Recherches enregistrées"),
    H("agenda_feed", "user_id", DELETE, "agenda_abonnements",
      "Adresses d'abonnement à l'agenda"),
    H("agenda_settings", "user_id", DELETE, "agenda_reglages", "Réglages de l'agenda"),
    H("agenda_attendee", "user_id", DELETE, "agenda_invitations", "Invitations reçues",
      columns=("event_id", "answer")),
    H("agenda_occurrence_answer", "user_id", DELETE, "agenda_reponses",
      "Réponses aux invitations"),
    H("agenda_reminder_sent", "user_id", DELETE, why="trace technique des rappels envoyés"),
    H("subsidy_instructor", "user_id", DELETE, "instruction_subventions",
      "Programmes d'aide instruits"),
    H("job_application", "user_id", _delete_applications, "candidatures",
      "Candidatures envoyées"),
    H("org_position", "user_id", _free_positions, "organigramme", "Postes dans un organigramme",
      columns=("unit_id", "title", "is_head")),
    # --- content the person wrote: it stays, signed by the anonymised account ---
    H("page", "author_id", KEEP, "pages", "Pages écrites",
      columns=("id", "space_id", "title", "body_html", "status", "created_at")),
    H("page_revision", "author_id", KEEP, "pages_versions", "Versions de pages écrites"),
    H("document", "created_by_id", KEEP, "documents", "Documents déposés"),
    H("document_share_link", "created_by_id", KEEP, "documents_liens_partages",
      "Liens de partage créés"),
    H("document_version", "uploaded_by_id", KEEP, "documents_versions",
      "Versions de documents déposées"),
    H("stored_file", "uploaded_by_id", KEEP, "fichiers", "Fichiers envoyés",
      columns=("id", "original_name", "content_type", "size", "created_at")),
    H("forum_topic", "author_id", KEEP, "forums_sujets", "Sujets de forum ouverts",
      columns=("id", "forum_id", "title", "created_at")),
    H("forum_post", "author_id", KEEP, "forums_messages", "Messages de forum écrits",
      columns=("id", "topic_id", "body_html", "created_at", "edited_at")),
    H("forum_report", "reporter_id", UNLINK, "forums_signalements",
      "Signalements de messages"),
    H("ad_report", "reporter_id", UNLINK, "annonces_signalements",
      "Signalements de petites annonces"),
    H("conversation", "created_by_id", KEEP, "conversations_ouvertes",
      "Conversations ouvertes", columns=("id", "subject", "created_at")),
    H("conversation_participant", "user_id", KEEP, "conversations",
      "Conversations auxquelles vous participez", columns=("conversation_id",)),
    H("conversation_message", "author_id", KEEP, "messages_ecrits",
      "Messages écrits dans vos conversations",
      columns=("id", "conversation_id", "body_source", "created_at")),
    H("list_message", "author_id", KEEP, "listes_messages",
      "Messages envoyés aux listes de diffusion",
      columns=("id", "list_id", "subject", "body_text", "status", "created_at")),
    H("mailing_list", "created_by_id", KEEP, "listes_creees", "Listes de diffusion créées",
      columns=("id", "name", "created_at")),
    H("agenda_event", "owner_id", KEEP, "agenda_evenements", "Événements de votre agenda",
      columns=("id", "title", "location", "description_text", "all_day", "starts_on",
               "ends_on", "rrule", "created_at")),
    H("outside_contact", "created_by_id", KEEP, "contacts_crees",
      "Contacts extérieurs enregistrés"),
    H("ad", "created_by_id", KEEP, "petites_annonces", "Petites annonces"),
    H("job_offer", "created_by_id", KEEP, "offres_emploi", "Offres d'emploi publiées"),
    H("subsidy_dossier", "created_by_id", KEEP, "subventions_dossiers",
      "Dossiers de subvention déposés"),
    H("subsidy_dossier_event", "user_id", KEEP, "subventions_etapes",
      "Étapes de dossiers de subvention"),
    H("deliberation", "created_by_id", KEEP, "deliberations", "Actes saisis"),
    H("sitting_minutes", "created_by_id", KEEP, "proces_verbaux", "Procès-verbaux saisis"),
    H("aid", "created_by_id", KEEP, "aides", "Aides saisies"),
    H("press_release", "created_by_id", KEEP, "communiques", "Communiqués saisis"),
    H("procurement_notice", "created_by_id", KEEP, "avis_marches", "Avis de marché saisis"),
    H("accessibility_audit", "recorded_by_id", KEEP, "audits_accessibilite",
      "Audits d'accessibilité enregistrés"),
    H("privacy_erasure_request", "user_id", KEEP, "demandes_effacement",
      "Demandes d'effacement", columns=("status", "requested_at", "decided_at",
                                        "refusal_reason")),
    # --- traces of the person's work on other people's content: the content is theirs ---
    H("page", "updated_by_id", KEEP, why=NOT_THEIRS),
    H("folder", "deleted_by_id", KEEP, why=NOT_THEIRS),
    H("document", "deleted_by_id", KEEP, why=NOT_THEIRS),
    H("forum_topic", "deleted_by_id", KEEP, why=NOT_THEIRS),
    H("forum_topic", "last_post_author_id", KEEP, why="repris de « forums_messages »"),
    H("forum_post", "deleted_by_id", KEEP, why=NOT_THEIRS),
    H("forum_post", "edited_by_id", KEEP, why=NOT_THEIRS),
    H("forum_post_revision", "written_by_id", KEEP, why=NOT_THEIRS),
    H("forum_report", "resolved_by_id", KEEP, why=NOT_THEIRS),
    H("list_message", "moderated_by_id", KEEP, why=NOT_THEIRS),
    H("ad", "hidden_by_id", KEEP, why=NOT_THEIRS),
    H("activity", "actor_id", KEEP, why="fil d'activité des espaces, lu par leurs membres"),
    H("audit_event", "actor_id", KEEP, why="actes d'administration, hors connexions"),
    H("deliberation_settings", "updated_by_id", KEEP, why=NOT_THEIRS),
    H("deliberation_sitting", "list_published_by_id", KEEP, why=NOT_THEIRS),
    H("privacy_erasure_request", "decided_by_id", KEEP, why=NOT_THEIRS),
    H("list_sender_rule", "created_by_id", KEEP, why=NOT_THEIRS),
    H("document", "locked_by_id", UNLINK, why="un verrou posé sur un document, levé avec le compte"),
)

# Where a name or an address was copied as text, not referred to by a key.
TEXT_COPIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("activity", ("summary",)),
    ("notification", ("title", "body")),
    ("audit_event", ("target", "detail")),
    ("list_message", ("sender_name", "sender_email", "body_text", "body_html")),
    ("forum_post", ("body_html", "body_source")),
    ("forum_post_revision", ("body_html", "body_source")),
    ("conversation", ("audience", "about_label")),
    ("conversation_message", ("body_source", "body_html")),
    ("page", ("review_comment",)),
    ("subsidy_dossier", ("contact",)),
    ("subsidy_dossier_event", ("comment",)),
    ("outbox_message", ("subject", "sender", "reply_to", "headers", "body_text", "body_html")),
    ("privacy_erasure_request", ("note", "refusal_reason")),
)

# Rows that hold the person's address without a key (a subscription made with the address
# alone, before or besides the account): exported (file, label) and deleted with the account.
ADDRESS_COPIES: tuple[tuple[str, str, str, str], ...] = (
    ("list_subscriber", "email", "abonnements_listes_par_adresse",
     "Abonnements aux listes faits avec votre adresse"),
    ("aid_alert", "email", "alertes_aides_par_adresse",
     "Alertes sur les aides faites avec votre adresse"),
    ("list_quarantine", "envelope_from", "listes_courriels_retenus",
     "Courriels envoyés aux listes et retenus (en-têtes non repris)"),
    ("list_sender_rule", "email", "listes_regles_expediteur",
     "Règles des modérateurs de listes sur vos messages"),
)


def exported() -> list[Holding]:
    return [h for h in HOLDINGS if h.section]
