//! Who is signed in to the console: a [`Staff`] member with a [`Role`]. `auth` makes one from
//! the session cookie; the pages and the frame (`layout`) read it.

use super::WebError;

/// What a user may do, as in the bot: staff read and upload; admins also chase units (催办),
/// see tip sources, approve or reject held forms and edit the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Staff,
    Admin,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text {
            "staff" => Some(Role::Staff),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Admin => "admin",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Role::Staff => "工作人员",
            Role::Admin => "管理员",
        }
    }
}

/// A logged-in user: taking it as a handler argument is what makes a page need a session.
#[derive(Debug, Clone)]
pub struct Staff {
    pub name: String,
    pub role: Role,
}

impl Staff {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Refuses staff an admin action.
    pub fn require_admin(&self) -> Result<(), WebError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}
