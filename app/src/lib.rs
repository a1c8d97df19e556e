//! My Community: the residents' app and the station's desk, as one Leptos app rendered on
//! the server, with islands hydrated in the browser where something must react.
#![recursion_limit = "256"]

pub mod account;
pub mod activities;
pub mod affairs;
pub mod appointments;
pub mod auth;
pub mod case;
pub mod codes;
pub mod community;
pub mod config;
pub mod dashboard;
pub mod demands;
#[cfg(feature = "ssr")]
pub mod demo;
pub mod error;
pub mod export;
pub mod family;
pub mod form;
pub mod i18n;
pub mod intake;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod memo;
pub mod notices;
pub mod notifications;
pub mod open311;
#[cfg(feature = "ssr")]
pub mod ops;
pub mod paging;
pub mod photos;
pub mod places;
pub mod prefs;
pub mod privacy;
pub mod ratings;
#[cfg(feature = "ssr")]
pub mod request;
pub mod rounds;
pub mod search;
#[cfg(feature = "ssr")]
pub mod security;
pub mod setup;
pub mod shell;
pub mod spaces;
pub mod station;
#[cfg(feature = "ssr")]
pub mod store;
pub mod supervision;
pub mod surveys;
pub mod team;
pub mod threads;
pub mod time;
pub mod transparency;
pub mod ui;
pub mod verify;
pub mod visits;
pub mod work;

#[cfg(test)]
mod layout;

pub use shell::{shell, App};

/// The browser entry point: hydrates the islands on the page, nothing else.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A mark for tests and styles: the islands on this page are live.
    if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-hydrated", "1");
    }
}
