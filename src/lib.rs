//! planmap: a map service for a district's development-plan projects.
//!
//! One binary serves the map page, a JSON/GeoJSON API and (later) OGC API – Features, on an
//! embedded SQLite store by default or on PostGIS in production.

/// `planmap user …` and `planmap token …`: command-line input and output over `service::users`.
pub mod admin;
/// HTTP routes, extractors and the one error-to-HTTP mapping.
pub mod api;
/// Wiring: build the router and state from configuration, listen, shut down gracefully.
pub mod app;
/// Users, roles, passwords and tokens.
pub mod auth;
/// Configured basemaps (imagery, vector, offline archives) and the tile proxy in front of them.
pub mod basemap;
/// Command line and environment configuration.
pub mod config;
/// Deterministic synthetic projects for scale tests.
pub mod demo_data;
/// Export and import formats (GeoJSON, CSV, GeoPackage, KML, Shapefile, FlatGeobuf).
pub mod formats;
/// Base data compiled into the binary (or read from a folder): outlines, seed, plan targets.
pub mod geodata;
/// Geometry rules: the only door a geometry comes in by.
pub mod geometry;
/// Progress tracking: units, monthly reports, milestones, lateness and KPIs.
pub mod progress;
/// The domain: projects, their fields, filters and statistics.
pub mod project;
/// `planmap report …`: the 月报表 file, missing reports, reminders.
pub mod report_cli;
/// Use cases (edit, import, users, sign-in, export) shared by HTTP and the command line.
pub mod service;
/// The storage seam and its SQLite and PostGIS implementations.
pub mod store;
/// Logging setup.
pub mod telemetry;
/// Vector tiles: tile math, the embedded encoder, the cache with exact invalidation.
pub mod tiles;
/// Time stamps (microseconds, RFC 3339) and the `as_of` instant in Dongtou time.
pub mod time;
/// The embedded web page and vendored libraries.
pub mod web;
