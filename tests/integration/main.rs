//! The one integration-test binary (STYLE.md section 7): every test runs offline against
//! servers it starts on loopback.

mod support;

mod catalogue;
mod categories;
mod crash;
mod eval;
mod eval_orgs;
mod faults;
mod forges;
mod hostile;
mod progress;
mod publish;
mod revisit;
mod schedule;
mod site;
mod spine;
mod state;
mod status;
