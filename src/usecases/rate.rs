//! Rate limits per client address and per town, by kind of request
//! (`--rate-limits`): a client sending more than its share, or a town
//! flooded from many addresses, is told to come back later (HTTP 429 with
//! `Retry-After`) before any work is done.
//!
//! Each limit is a GCRA (governor) over the application's clock: a quota
//! per minute, spent at most all at once, refilled evenly. IPv6 clients are
//! counted by /64, what one subscriber holds. The limits are this node's:
//! a cluster of N nodes lets N times as much through in all.

use crate::config::{RateClass, RateLimits};
use crate::usecases::Clock;
use governor::clock::Reference;
use governor::nanos::Nanos;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

/// The application's clock as governor reads it: nanoseconds since 1970.
#[derive(Clone)]
pub struct AppClock(Clock);

impl governor::clock::Clock for AppClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(u64::try_from((self.0)().as_nanosecond()).unwrap_or(0))
    }
}

type Keyed<K> = RateLimiter<
    K,
    governor::state::keyed::DefaultKeyedStateStore<K>,
    AppClock,
    governor::middleware::NoOpMiddleware<Nanos>,
>;

struct Limit {
    client: Option<Keyed<(Box<str>, IpAddr)>>,
    town: Option<Keyed<Box<str>>>,
}

/// Every class's limiters.
pub struct Limiters {
    clock: AppClock,
    limits: Vec<(RateClass, Limit)>,
    checks: AtomicU64,
}

/// The seconds to wait before trying again (at least 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooMany {
    pub retry_after: u64,
}

fn keyed<K: std::hash::Hash + Eq + Clone>(per_minute: u32, clock: &AppClock) -> Option<Keyed<K>> {
    let n = NonZeroU32::new(per_minute)?;
    Some(RateLimiter::dashmap_with_clock(
        Quota::per_minute(n),
        clock.clone(),
    ))
}

/// The address a client is counted by: IPv6 by its /64.
fn counted(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

impl Limiters {
    pub fn new(limits: &RateLimits, clock: Clock) -> Limiters {
        let clock = AppClock(clock);
        Limiters {
            limits: limits
                .classes
                .iter()
                .map(|(class, l)| {
                    (
                        *class,
                        Limit {
                            client: keyed(l.client, &clock),
                            town: keyed(l.town, &clock),
                        },
                    )
                })
                .collect(),
            clock,
            checks: AtomicU64::new(0),
        }
    }

    /// Counts one request of `class` from `client` to `tenant`: `Err` when
    /// either limit is spent.
    pub fn check(&self, class: RateClass, tenant: &str, client: IpAddr) -> Result<(), TooMany> {
        let Some((_, limit)) = self.limits.iter().find(|(c, _)| *c == class) else {
            return Ok(());
        };
        // Idle clients are forgotten now and then, so that memory follows
        // the clients of the last minutes, not every one ever seen.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 65_536 == 65_535 {
            self.forget_idle();
        }
        let now = governor::clock::Clock::now(&self.clock);
        let wait = |until: governor::NotUntil<Nanos>| {
            let nanos = until.earliest_possible().duration_since(now).as_u64();
            TooMany {
                retry_after: nanos.div_ceil(1_000_000_000).max(1),
            }
        };
        if let Some(l) = &limit.client {
            l.check_key(&(tenant.into(), counted(client)))
                .map_err(wait)?;
        }
        if let Some(l) = &limit.town {
            l.check_key(&tenant.into()).map_err(wait)?;
        }
        Ok(())
    }

    /// Drops the state of clients whose quota is whole again.
    pub fn forget_idle(&self) {
        for (_, l) in &self.limits {
            if let Some(c) = &l.client {
                c.retain_recent();
                c.shrink_to_fit();
            }
        }
    }

    /// How many clients are remembered (all classes).
    pub fn clients(&self) -> usize {
        self.limits
            .iter()
            .filter_map(|(_, l)| l.client.as_ref())
            .map(|c| c.len())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn at(t: &Arc<Mutex<jiff::Timestamp>>) -> Clock {
        let t = Arc::clone(t);
        Arc::new(move || *t.lock().unwrap())
    }

    #[test]
    fn a_client_gets_its_quota_per_minute_and_the_town_its_own() {
        let now = Arc::new(Mutex::new(
            "2026-12-07T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        ));
        let limits: RateLimits = "soap=3:5".parse().unwrap();
        let l = Limiters::new(&limits, at(&now));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check(RateClass::Soap, "demoville", a), Ok(()));
        }
        let refused = l.check(RateClass::Soap, "demoville", a).unwrap_err();
        assert_eq!(
            refused.retry_after, 20,
            "a minute's quota of 3 refills every 20 s"
        );
        assert_eq!(
            l.check(RateClass::Soap, "autreville", a),
            Ok(()),
            "per town"
        );
        // b has its own quota, but the town's 5 are spent after two more.
        assert_eq!(l.check(RateClass::Soap, "demoville", b), Ok(()));
        assert_eq!(l.check(RateClass::Soap, "demoville", b), Ok(()));
        assert!(l.check(RateClass::Soap, "demoville", b).is_err());
        // Classes without a limit are not counted.
        for _ in 0..100 {
            assert_eq!(l.check(RateClass::Exchange, "demoville", a), Ok(()));
        }
        *now.lock().unwrap() += jiff::SignedDuration::from_secs(60);
        assert_eq!(l.check(RateClass::Soap, "demoville", a), Ok(()));
        l.forget_idle();
        assert!(l.clients() <= 2);
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let now = Arc::new(Mutex::new(
            "2026-12-07T10:00:00Z".parse::<jiff::Timestamp>().unwrap(),
        ));
        let l = Limiters::new(&"login=1:0".parse().unwrap(), at(&now));
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(l.check(RateClass::Login, "t", one).is_ok());
        assert!(l.check(RateClass::Login, "t", same).is_err());
        assert!(l.check(RateClass::Login, "t", other).is_ok());
    }
}
