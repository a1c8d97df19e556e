//! The pages people sign in and register with (`/login`, `/register`). Identity itself,
//! sessions and the guards are [`crate::auth`]; these pages sit above it with the frame.

pub mod views;
