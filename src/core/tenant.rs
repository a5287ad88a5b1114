//! A tenant (a town) and its catalogue of online services.

use super::catalogue::Service;
use super::status::RequestRecord;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;

/// A town hosted on the platform, with the services it offers.
#[derive(Debug)]
pub struct Tenant {
    /// Store identifier (opaque outside the store).
    pub id: i64,
    /// URL name, e.g. `demoville`.
    pub slug: String,
    /// Display name, e.g. `Ville de Démoville`.
    pub name: String,
    pub time_zone: TimeZone,
    /// Online services, current version each, in catalogue order.
    pub services: Vec<Arc<Service>>,
    /// Services in their test phase (current version each, in catalogue
    /// order): open to the town's agents only, their requests marked as tests.
    pub testing: Vec<Arc<Service>>,
    /// Every known version of every service, for requests submitted under an
    /// older definition.
    versions: HashMap<(String, u32), Arc<Service>>,
    /// Whether a service offered to the public, and to agents, takes files
    /// (decided once: the SOAP edge asks at every call).
    files: (bool, bool),
}

impl Tenant {
    pub fn new(
        id: i64,
        slug: &str,
        name: &str,
        time_zone: TimeZone,
        online: Vec<Arc<Service>>,
        testing: Vec<Arc<Service>>,
        all_versions: Vec<Arc<Service>>,
    ) -> Tenant {
        let versions = all_versions
            .into_iter()
            .chain(online.iter().cloned())
            .chain(testing.iter().cloned())
            .map(|s| ((s.code.clone(), s.version), s))
            .collect();
        let public = online.iter().any(|s| s.takes_files());
        let files = (public, public || testing.iter().any(|s| s.takes_files()));
        Tenant {
            id,
            slug: slug.to_owned(),
            name: name.to_owned(),
            time_zone,
            services: online,
            testing,
            versions,
            files,
        }
    }

    /// Every known version of every service (online or not).
    pub fn all_services(&self) -> impl Iterator<Item = &Arc<Service>> {
        self.versions.values()
    }

    /// XML namespace of the tenant's SOAP messages and request files.
    pub fn namespace(&self) -> String {
        format!("urn:guichet:{}", self.slug)
    }

    /// An online service by code.
    pub fn service(&self, code: &str) -> Option<&Arc<Service>> {
        self.services.iter().find(|s| s.code == code)
    }

    /// A service in its test phase by code.
    pub fn service_in_test(&self, code: &str) -> Option<&Arc<Service>> {
        self.testing.iter().find(|s| s.code == code)
    }

    /// The privacy rules retention follows, one per service code: the
    /// current version's (online, else in test), else the newest known.
    pub fn privacy_rules(&self) -> Vec<(&str, &super::catalogue::Privacy)> {
        let mut newest: HashMap<&str, &Arc<Service>> = HashMap::new();
        for s in self.versions.values() {
            let kept = newest.entry(s.code.as_str()).or_insert(s);
            if s.version > kept.version {
                *kept = s;
            }
        }
        for s in self.testing.iter().chain(&self.services) {
            newest.insert(s.code.as_str(), s);
        }
        let mut rules: Vec<_> = newest
            .into_iter()
            .map(|(code, s)| (code, &s.privacy))
            .collect();
        rules.sort_by_key(|(code, _)| *code);
        rules
    }

    /// A service at the version a request was submitted under.
    pub fn service_version(&self, code: &str, version: u32) -> Option<&Arc<Service>> {
        self.versions.get(&(code.to_owned(), version))
    }
}

/// Who a channel serves: the public (online services, public requests) or
/// the town's agents trying services in their test phase (online services
/// and those in test; test requests too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Agents,
}

impl Audience {
    /// Whether this audience may see a request: test requests are the agents'.
    pub fn sees(self, record: &RequestRecord) -> bool {
        self == Audience::Agents || !record.test
    }
}

impl Tenant {
    /// The services offered to `audience`, in catalogue order (for agents,
    /// those in test first).
    /// (No allocation: the SOAP channel looks operations up here on every call.)
    pub fn offered(&self, audience: Audience) -> impl Iterator<Item = &Arc<Service>> + Clone {
        let testing: &[Arc<Service>] = match audience {
            Audience::Public => &[],
            Audience::Agents => &self.testing,
        };
        testing.iter().chain(&self.services)
    }

    /// Whether a service offered to `audience` takes files.
    pub fn takes_files(&self, audience: Audience) -> bool {
        match audience {
            Audience::Public => self.files.0,
            Audience::Agents => self.files.1,
        }
    }

    /// A service offered to `audience`, by code.
    pub fn offer(&self, audience: Audience, code: &str) -> Option<&Arc<Service>> {
        match audience {
            Audience::Public => self.service(code),
            Audience::Agents => self.service(code).or_else(|| self.service_in_test(code)),
        }
    }
}

/// Tenant slugs are lowercase letters, digits and hyphens, as in URLs.
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 63
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
}
