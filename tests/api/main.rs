//! HTTP tests: the real app on a random port, against both stores.
#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod basemaps;
mod cql2_corpus;
mod cql2_json;
mod credentials;
mod editing;
mod errors;
mod export;
mod hostile_bodies;
mod import;
mod instances;
mod ogcapi;
mod ogcapi_tx;
mod outage;
mod preconditions;
mod projects;
mod report_extras;
mod reports;
mod security;
mod seed_milestones;
mod tiles;
mod web;
