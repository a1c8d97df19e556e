//! What people do with their account: register, log in and out, change the password (the
//! server functions and the `/login` and `/register` pages). Identity itself, sessions
//! and the guards are [`crate::auth`]; this sits above it with the forms and the frame.

pub mod api;
#[cfg(feature = "ssr")]
pub mod codes;
pub mod verify_views;
pub mod views;
