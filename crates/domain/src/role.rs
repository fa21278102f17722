//! The roles of DESIGN.md. A role is always granted on a unit and covers the units below it.

use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Leader,
    Coordinator,
    Caseworker,
    Lawyer,
    Viewer,
    Panelist,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Leader,
        Role::Coordinator,
        Role::Caseworker,
        Role::Lawyer,
        Role::Viewer,
        Role::Panelist,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Coordinator => "coordinator",
            Role::Caseworker => "caseworker",
            Role::Lawyer => "lawyer",
            Role::Viewer => "viewer",
            Role::Panelist => "panelist",
        }
    }

    /// Message-catalogue key of the role's display name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Leader => "role-leader",
            Role::Coordinator => "role-coordinator",
            Role::Caseworker => "role-caseworker",
            Role::Lawyer => "role-lawyer",
            Role::Viewer => "role-viewer",
            Role::Panelist => "role-panelist",
        }
    }

    pub fn parse(s: &str) -> Result<Role, FieldError> {
        let s = s.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or(FieldError::new("role", "err-role-unknown"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_code_and_rejects_others() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Ok(r));
            assert_eq!(Role::parse(&r.code().to_uppercase()), Ok(r));
        }
        assert!(Role::parse("superuser").is_err());
        assert!(Role::parse("").is_err());
    }
}
