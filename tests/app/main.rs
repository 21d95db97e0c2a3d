//! The one integration-test binary: each test drives a real kiwi server on its own database.

mod helpers;

mod access;
mod import;
mod pages;
mod sign_in;
