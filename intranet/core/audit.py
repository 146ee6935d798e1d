"""The audit log: every sign-in (success or failure) and every administrative action."""
from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .timeutil import utcnow

ACTION_LABELS = {
    "login.success": "Connexion réussie",
    "login.failure": "Échec de connexion",
    "login.throttled": "Connexion bloquée (trop d'essais)",
    "login.proconnect": "Connexion avec ProConnect",
    "login.proconnect_failure": "Échec de connexion avec ProConnect",
    "proconnect.access_request": "Demande d'accès via ProConnect (personne sans compte)",
    "logout": "Déconnexion",
    "password.reset_requested": "Demande de réinitialisation du mot de passe",
    "password.reset": "Mot de passe réinitialisé",
    "password.changed": "Mot de passe modifié",
    "account.locked": "Compte bloqué après des échecs de connexion",
    "account.unlocked": "Compte débloqué par un administrateur",
    "sessions.ended_elsewhere": "Déconnexion des autres sessions",
    "invitation.sent": "Invitation envoyée",
    "invitation.accepted": "Invitation acceptée",
    "user.created": "Compte créé",
    "user.updated": "Compte modifié",
    "user.deactivated": "Compte désactivé",
    "user.reactivated": "Compte réactivé",
    "users.imported": "Import de comptes",
    "membership.added": "Membre ajouté à une organisation",
    "membership.role_changed": "Rôle modifié",
    "membership.removed": "Membre retiré d'une organisation",
    "organisation.created": "Organisation créée",
    "organisation.updated": "Organisation modifiée",
    "contacts.imported": "Contacts extérieurs importés",
    "organisations.imported": "Import d'organisations",
    "space.created": "Espace créé",
    "space.updated": "Espace modifié",
    "space.member_added": "Membre ajouté à un espace",
    "space.member_removed": "Membre retiré d'un espace",
    "space.member_approved": "Demande d'adhésion acceptée",
    "space.rule_added": "Règle d'adhésion ajoutée",
    "space.rule_removed": "Règle d'adhésion supprimée",
    "deliberation.published": "Acte publié",
    "deliberation.withdrawn": "Acte retiré",
    "deliberation.acknowledgements_imported": "Accusés de réception des actes importés",
    "minutes.published": "Procès-verbal de séance publié",
    "minutes.withdrawn": "Procès-verbal de séance retiré",
    "aid.published": "Aide publiée",
    "aid.withdrawn": "Aide retirée",
    "procurement.published": "Avis de marché publié",
    "procurement.withdrawn": "Avis de marché retiré",
    "press.published": "Communiqué publié",
    "press.withdrawn": "Communiqué retiré",
    "ad.published": "Petite annonce publiée",
    "ad.withdrawn": "Petite annonce conclue",
    "ad.hidden": "Petite annonce masquée par la modération",
    "ad.restored": "Petite annonce rétablie par la modération",
    "deliberation.settings_updated": "Paramètres de publication des actes modifiés",
    "nomenclature.imported": "Import d'une nomenclature des achats",
    "orgchart.unit_created": "Organigramme : unité créée",
    "orgchart.unit_updated": "Organigramme : unité modifiée ou déplacée",
    "orgchart.unit_deleted": "Organigramme : unité supprimée",
    "orgchart.position_changed": "Organigramme : poste ajouté, modifié ou supprimé",
    "orgchart.visibility_changed": "Organigramme : visibilité modifiée",
    "list.created": "Liste de diffusion créée",
    "list.updated": "Liste de diffusion modifiée",
    "list.mass_subscribed": "Abonnements en nombre à une liste de diffusion",
    "forum.created": "Forum créé",
    "forum.updated": "Forum modifié",
    "forum.category_added": "Forum : catégorie ajoutée",
    "forum.topic_pinned": "Forum : sujet épinglé",
    "forum.topic_unpinned": "Forum : sujet désépinglé",
    "forum.topic_locked": "Forum : sujet verrouillé",
    "forum.topic_unlocked": "Forum : sujet rouvert aux réponses",
    "forum.topic_moved": "Forum : sujet déplacé",
    "forum.topic_split": "Forum : sujet scindé",
    "forum.topics_merged": "Forum : sujets fusionnés",
    "forum.topic_deleted": "Forum : sujet supprimé par un modérateur",
    "forum.topic_restored": "Forum : sujet restauré",
    "forum.post_edited": "Forum : message modifié par un modérateur",
    "forum.post_deleted": "Forum : message supprimé par un modérateur",
    "forum.post_restored": "Forum : message restauré",
    "forum.post_approved": "Forum : message validé",
    "forum.post_rejected": "Forum : message refusé",
    "forum.report_dismissed": "Forum : signalement classé",
    "forum.report_upheld": "Forum : signalement retenu, message supprimé",
    "accessibility.audit_recorded": "Audit d'accessibilité enregistré",
    "agenda.resource_saved": "Agenda : salle ou matériel enregistré",
    "agenda.feed_created": "Agenda : adresse d'abonnement créée",
    "agenda.feed_revoked": "Agenda : adresse d'abonnement révoquée",
    "mfa.success": "Second facteur validé",
    "mfa.failure": "Second facteur refusé",
    "mfa.totp_enrolled": "Application d'authentification enregistrée",
    "mfa.totp_removed": "Application d'authentification supprimée",
    "mfa.passkey_added": "Clé d'accès enregistrée",
    "mfa.passkey_removed": "Clé d'accès supprimée",
    "mfa.recovery_codes_generated": "Codes de secours générés",
    "mfa.recovery_code_used": "Code de secours utilisé",
    "mfa.browser_trusted": "Navigateur de confiance ajouté",
    "mfa.browser_revoked": "Navigateur de confiance retiré",
    "mfa.reset": "Second facteur réinitialisé par un administrateur",
    "privacy.erasure_requested": "Effacement du compte demandé",
    "privacy.erasure_cancelled": "Demande d'effacement annulée",
    "privacy.erasure_refused": "Demande d'effacement refusée",
    "privacy.erased": "Compte effacé (données personnelles)",
    "privacy.retention_applied": "Durées de conservation appliquées",
}


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_action_created", "action", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    # The organisation concerned, so an organisation's admins can read their own part of the log.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True)
    target: Mapped[str] = mapped_column(String(300), default="")
    ip: Mapped[str | None] = mapped_column(String(45), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")
    organisation = relationship("Organisation")

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def record(action: str, *, actor=None, organisation=None, target: str = "",
           detail: str = "") -> AuditEvent:
    """Add an audit event to the current transaction (the caller's commit makes it durable)."""
    event = AuditEvent(action=action, actor_id=getattr(actor, "id", None),
                       organisation_id=getattr(organisation, "id", None),
                       target=target[:300], ip=client_ip(), detail=detail)
    db.session.add(event)
    return event
