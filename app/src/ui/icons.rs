//! The tab bar's icons, inline so they need no request and follow the text colour.

use leptos::prelude::*;

fn icon(path: &'static str) -> AnyView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true" focusable="false">
            <path d=path fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
    }
    .into_any()
}

pub fn home() -> AnyView {
    icon("M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10")
}

pub fn services() -> AnyView {
    icon("M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z")
}

pub fn post() -> AnyView {
    icon("M12 5v14M5 12h14")
}

pub fn deliberate() -> AnyView {
    icon("M4 5h11v8H9l-4 3v-3H4zM15 9h5v8h-1v3l-4-3h-4v-2")
}

pub fn me() -> AnyView {
    icon("M12 12a4 4 0 100-8 4 4 0 000 8zM4 21c0-4 4-6 8-6s8 2 8 6")
}
