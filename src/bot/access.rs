//! Who the bot answers and what it may show where (SPEC §8).
//!
//! Only the configured staff and admin user ids are answered; anyone else gets one refusal line.
//! Group chats get aggregates only: counts, totals, lists of units and a unit's own figures, but
//! never a person's details (who filled a form in, their phone) and, once case forms exist,
//! never a case's details.

use crate::config::Bot;

/// What the sender may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Staff,
    Stranger,
}

impl Role {
    pub fn of(user_id: Option<u64>, settings: &Bot) -> Role {
        let Some(id) = user_id.and_then(|id| i64::try_from(id).ok()) else {
            return Role::Stranger;
        };
        if settings.admins.contains(&id) {
            Role::Admin
        } else if settings.staff.contains(&id) {
            Role::Staff
        } else {
            Role::Stranger
        }
    }

    pub fn may_remind(self) -> bool {
        self == Role::Admin
    }
}

/// Whether the bot speaks in this chat at all (SPEC §8): any private chat (the sender's role
/// decides the rest), and of the groups only those listed in `[bot] chats`. A group the bot was
/// added to by someone else gets nothing, not even a refusal.
pub fn speaks_in(chat_id: i64, is_private_chat: bool, settings: &Bot) -> bool {
    is_private_chat || settings.chats.contains(&chat_id)
}

/// How much of the typical cases an answer may show (SPEC §4, §8): the tip source can identify a
/// whistleblower, so the full case goes to admins in a private chat only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseDetail {
    /// Counts per unit: group chats.
    Counts,
    /// Unit, date and a one-line summary: staff in a private chat.
    OneLine,
    /// Everything, the tip source included: admins in a private chat.
    Full,
}

impl CaseDetail {
    pub fn of(role: Role, audience: Audience) -> CaseDetail {
        match (role, audience) {
            (_, Audience::Group) | (Role::Stranger, _) => CaseDetail::Counts,
            (Role::Admin, Audience::Private) => CaseDetail::Full,
            (Role::Staff, Audience::Private) => CaseDetail::OneLine,
        }
    }
}

/// Where the answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Private,
    Group,
}

impl Audience {
    pub fn of(is_private_chat: bool) -> Audience {
        if is_private_chat {
            Audience::Private
        } else {
            Audience::Group
        }
    }

    /// A person's details (a form's 填表人 and phone) are not aggregates: private chats only.
    pub fn shows_personal_details(self) -> bool {
        self == Audience::Private
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_are_answered_only_when_listed() {
        let mut bot = settings();
        bot.chats = vec![-10_042];
        assert!(speaks_in(7, true, &bot));
        assert!(speaks_in(-10_042, false, &bot));
        assert!(!speaks_in(-10_043, false, &bot));
    }

    #[test]
    fn case_details_go_to_admins_in_private_chats_only() {
        use super::{Audience, CaseDetail, Role};
        assert_eq!(
            CaseDetail::of(Role::Admin, Audience::Private),
            CaseDetail::Full
        );
        assert_eq!(
            CaseDetail::of(Role::Admin, Audience::Group),
            CaseDetail::Counts
        );
        assert_eq!(
            CaseDetail::of(Role::Staff, Audience::Private),
            CaseDetail::OneLine
        );
        assert_eq!(
            CaseDetail::of(Role::Staff, Audience::Group),
            CaseDetail::Counts
        );
    }

    use super::*;

    fn settings() -> Bot {
        Bot {
            enabled: true,
            token_env: "T".into(),
            api_url: "http://127.0.0.1:1".parse().unwrap(),
            staff: vec![10],
            admins: vec![20],
            chats: vec![],
        }
    }

    #[test]
    fn roles_come_from_the_configured_ids() {
        assert_eq!(Role::of(Some(10), &settings()), Role::Staff);
        assert_eq!(Role::of(Some(20), &settings()), Role::Admin);
        assert_eq!(Role::of(Some(30), &settings()), Role::Stranger);
        assert_eq!(Role::of(None, &settings()), Role::Stranger);
        assert!(Role::Admin.may_remind() && !Role::Staff.may_remind());
    }

    #[test]
    fn groups_see_no_personal_details() {
        assert!(Audience::of(true).shows_personal_details());
        assert!(!Audience::of(false).shows_personal_details());
    }
}
