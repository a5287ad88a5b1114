//! The channels that bring messages in, besides forms and SOAP: the town's
//! mailboxes read over IMAP ([`imap`], each message parsed by [`mail`]) and
//! its SMS provider's callback ([`sms`]). Each hands what it received to
//! the one use case ([`crate::usecases::inbound::receive`]), which writes
//! it on its request or puts it in the qualification queue.

pub mod imap;
pub mod mail;
pub mod sms;

use crate::usecases::App;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the worker looks whether a mailbox is due.
const TICK: Duration = Duration::from_secs(5);

/// Reads each town's mailboxes every `[inbound] poll_seconds`, for good.
/// Every node may run it: a message kept once (its Message-ID) is not
/// handled twice, and reading it again only marks it seen again.
pub async fn run(app: Arc<App>) {
    let mut last: HashMap<(i64, String), Instant> = HashMap::new();
    let mut interval = tokio::time::interval(TICK);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        for site in app.all_sites() {
            if !site.enabled {
                continue;
            }
            let look = site.look.get();
            let every = Duration::from_secs(look.settings.inbound.poll_seconds);
            for mailbox in &look.settings.inbound.mailboxes {
                let key = (site.tenant.id, mailbox.name.clone());
                if last.get(&key).is_some_and(|at| at.elapsed() < every) {
                    continue;
                }
                last.insert(key, Instant::now());
                read_one(&app, &site, mailbox).await;
            }
        }
    }
}

/// Reads every mailbox of every town once, now; how many messages were
/// handled (what the worker does at each town's pace).
pub async fn read_mailboxes(app: &App) -> usize {
    let mut handled = 0;
    for site in app.all_sites().iter().filter(|s| s.enabled) {
        let look = site.look.get();
        for mailbox in &look.settings.inbound.mailboxes {
            handled += read_one(app, site, mailbox).await;
        }
    }
    handled
}

async fn read_one(
    app: &App,
    site: &crate::tenant::Site,
    mailbox: &crate::tenant::look::MailboxSettings,
) -> usize {
    match imap::read(app, site, mailbox).await {
        Ok(0) => 0,
        Ok(n) => {
            tracing::info!(tenant = %site.tenant.slug, mailbox = %mailbox.name, messages = n, "mailbox read");
            n
        }
        Err(e) => {
            tracing::warn!(tenant = %site.tenant.slug, mailbox = %mailbox.name, error = %e, "mailbox could not be read; tried again later");
            0
        }
    }
}
