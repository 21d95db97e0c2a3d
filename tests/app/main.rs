//! The one integration-test binary: each test drives a real kiwi server on its own database.

mod helpers;

mod access;
mod certificates;
mod council_report;
mod course_content;
mod courses;
mod directory;
mod hardening;
mod import;
mod ldap;
mod mail;
mod my_data;
mod oidc;
mod oidc_provider;
mod operations;
mod pages;
mod password_sign_in;
mod privacy;
mod quizzes;
mod reports;
mod second_factor;
mod sign_in;
mod smtp;
mod tool_access;
mod tool_host_proxies;
mod tool_hosts;
mod webhooks;
