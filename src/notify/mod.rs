//! Telling people: messages to citizens and agents (e-mail, SMS), written to
//! the outbox by the store in the transaction of the event that causes them.
//! For now: how an SMS text is encoded and cut.

pub mod sms;
