//! Webhooks to a real receiver: a small HTTP server in the test that checks every message as
//! the Standard Webhooks specification tells a receiver to (signature over id, timestamp and
//! body; a timestamp near its own clock), refuses the first delivery of each message to
//! force a retry, and deduplicates by `webhook-id`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, TestConfig, fixtures, spawn_app_with};
use kiwi::domain::Actor;
use kiwi::entities::{certificate, outbox_operation};
use kiwi::services::import::{self, ImportOptions};
use kiwi::webhook::{self, SigningKey, VerifyError};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
    verdict: Result<(), VerifyError>,
    answered: u16,
}

/// The receiver: every request it got, and the messages it accepted, once per id.
#[derive(Clone)]
struct Receiver {
    url: String,
    requests: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Listens on a free port; checks with `secret`; the first delivery of every id is
    /// answered 500 when `fail_first`.
    async fn start(secret: &str, fail_first: bool) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "http://127.0.0.1:{}/kiwi-hook",
            listener.local_addr().unwrap().port()
        );
        let key = SigningKey::parse(secret).unwrap();
        let requests: Arc<Mutex<Vec<Received>>> = Arc::default();
        let shared = requests.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, key.clone(), shared.clone(), fail_first));
            }
        });
        Receiver { url, requests }
    }

    fn requests(&self) -> Vec<Received> {
        self.requests.lock().unwrap().clone()
    }

    /// The accepted messages, once per `webhook-id` (a receiver's deduplication), as JSON,
    /// in the order they first arrived.
    fn messages(&self) -> Vec<(String, serde_json::Value)> {
        let mut seen = Vec::new();
        let mut messages = Vec::new();
        for r in self.requests() {
            if r.answered == 200 && !seen.contains(&r.id) {
                seen.push(r.id.clone());
                messages.push((r.id, serde_json::from_str(&r.body).unwrap()));
            }
        }
        messages
    }

    async fn wait_for(&self, count: usize) -> Vec<(String, serde_json::Value)> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let messages = self.messages();
            if messages.len() >= count {
                return messages;
            }
            assert!(
                Instant::now() < deadline,
                "only {} messages: {messages:?}",
                messages.len()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Serves one connection (several requests with keep-alive).
async fn serve(
    mut stream: tokio::net::TcpStream,
    key: SigningKey,
    requests: Arc<Mutex<Vec<Received>>>,
    fail_first: bool,
) {
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let headers: HashMap<String, String> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buffer[head_end..head_end + length].to_vec();
        buffer.drain(..head_end + length);
        let header = |name: &str| headers.get(name).cloned().unwrap_or_default();
        let (id, timestamp, signature) = (
            header("webhook-id"),
            header("webhook-timestamp"),
            header("webhook-signature"),
        );
        // What a receiver does: check before believing anything in the body.
        let verdict = webhook::verify(
            &key,
            &id,
            &timestamp,
            &signature,
            &body,
            Utc::now().timestamp(),
            webhook::TOLERANCE,
        );
        let answered = {
            let mut all = requests.lock().unwrap();
            let first_try = !all.iter().any(|r| r.id == id);
            let answered = match (&verdict, fail_first && first_try) {
                (Err(_), _) => 400,
                (Ok(()), true) => 500,
                (Ok(()), false) => 200,
            };
            all.push(Received {
                id,
                timestamp,
                signature,
                body: String::from_utf8_lossy(&body).to_string(),
                verdict: verdict.clone(),
                answered,
            });
            answered
        };
        let reason = match answered {
            200 => "OK",
            400 => "Bad Request",
            _ => "Internal Server Error",
        };
        let response = format!(
            "HTTP/1.1 {answered} {reason}\r\ncontent-length: 0\r\nconnection: keep-alive\r\n\r\n"
        );
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The fenced block after `<!-- marker -->` in the README.
fn readme_block(marker: &str) -> String {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .expect("the README");
    let after = readme
        .split_once(&format!("<!-- {marker} -->"))
        .unwrap_or_else(|| panic!("the README has a block marked {marker}"))
        .1;
    let body = after.split_once("```").unwrap().1;
    let body = body.split_once('\n').unwrap().1;
    body.split_once("\n```").unwrap().0.to_owned()
}

/// Whether the README's Python receiver accepts a message with this body.
fn python_accepts(secret: &str, received: &Received, body: &str) -> bool {
    let script = format!(
        "{}\nimport json, sys\nm = json.load(sys.stdin)\nverify(m['secret'], m['headers'], m['body'].encode())\n",
        readme_block("webhook:python")
    );
    let message = serde_json::json!({
        "secret": secret,
        "headers": {
            "webhook-id": received.id,
            "webhook-timestamp": received.timestamp,
            "webhook-signature": received.signature,
        },
        "body": body,
    });
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(message.to_string().as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

fn types(messages: &[(String, serde_json::Value)]) -> Vec<String> {
    messages
        .iter()
        .map(|(_, m)| {
            let tool = m["data"]["tool"].as_str().unwrap_or("-");
            let reason = m["data"]["reason"].as_str().unwrap_or("-");
            format!("{} {tool} {reason}", m["type"].as_str().unwrap())
        })
        .collect()
}

/// Every delivery retried without waiting for its pause: passes as of later and later
/// instants (each later than the pause a failure in the one before sets).
async fn deliver_retries(app: &TestApp) {
    let base = Utc::now();
    for step in 1..=12 {
        app.state
            .webhooks
            .deliver_all_due(&app.db, base + chrono::Duration::hours(step))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn events_are_signed_retried_with_the_same_id_and_seen_once_per_change() {
    let secret = SigningKey::generate();
    let receiver = Receiver::start(&secret, true).await;
    let url = receiver.url.clone();
    let hook_secret = secret.clone();
    let app = spawn_app_with(TestConfig {
        adjust: Some(Arc::new(move |settings| {
            settings.webhook_url = Some(url.clone());
            settings.webhook_secret = Some(hook_secret.parse().unwrap());
        })),
        ..Default::default()
    })
    .await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let number = kiwi::db::users::by_email(&app.db, &anna.email.to_lowercase())
        .await
        .unwrap()
        .unwrap()
        .personnel_number;
    // Completing the course issues the certificate; acknowledging the policy opens both
    // fixture tools (testbot needs the course and the policy, offen only the policy).
    app.revoke_certificate_of(&anna).await;
    let mut messages = Vec::new();
    for _ in 0..20 {
        deliver_retries(&app).await;
        messages = receiver.messages();
        if messages.len() >= 5 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut kinds = types(&messages);
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "certificate.issued - -",
            "certificate.revoked - -",
            "entitlement.ended testbot revoked",
            "entitlement.granted offen -",
            "entitlement.granted testbot -",
        ]
    );
    // One person's events arrive in the order they happened.
    let order: Vec<&str> = messages
        .iter()
        .map(|(_, m)| m["type"].as_str().unwrap())
        .collect();
    assert_eq!(order[0], "certificate.issued");
    assert_eq!(order[3..], ["certificate.revoked", "entitlement.ended"]);

    let requests = receiver.requests();
    for r in &requests {
        assert_eq!(r.verdict, Ok(()), "every request verifies: {r:?}");
        assert!(r.signature.starts_with("v1,"));
        let age = Utc::now().timestamp() - r.timestamp.parse::<i64>().unwrap();
        assert!((0..120).contains(&age), "signed for the moment it is sent");
    }
    // Every message was refused once and came again with the same id.
    let mut tries: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &requests {
        *tries.entry(&r.id).or_default() += 1;
    }
    assert_eq!(tries.len(), 5);
    assert!(tries.values().all(|n| *n == 2), "{tries:?}");
    assert!(tries.keys().all(|id| id.starts_with("msg_")));

    // Only what the receiver needs: who, which tool, until when, why; never a score.
    let (_, granted) = messages
        .iter()
        .find(|(_, m)| m["type"] == "entitlement.granted" && m["data"]["tool"] == "testbot")
        .unwrap();
    assert_eq!(granted["data"]["email"], anna.email.as_str());
    assert_eq!(granted["data"]["personnel_number"], number.as_str());
    assert!(
        granted["data"]["valid_until"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    let mut keys: Vec<&String> = granted["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["email", "personnel_number", "reason", "tool", "valid_until"]
    );
    let (_, issued) = messages
        .iter()
        .find(|(_, m)| m["type"] == "certificate.issued")
        .unwrap();
    assert_eq!(issued["data"]["course"], "grundlagen");
    assert!(
        issued["data"]["serial"]
            .as_str()
            .unwrap()
            .starts_with("KIWI-")
    );
    for r in &requests {
        for word in ["score", "points", "answer", "attempt"] {
            assert!(!r.body.contains(word), "{word} in {}", r.body);
        }
    }

    // A body changed on the way is refused, by the receiver as by the check itself.
    let original = requests.iter().find(|r| r.answered == 200).unwrap().clone();
    let tampered = original
        .body
        .replacen(&anna.email, "mallory@stadt.example", 1);
    assert_ne!(tampered, original.body);
    let key = SigningKey::parse(&secret).unwrap();
    let now = original.timestamp.parse().unwrap();
    let check = |body: &str| {
        webhook::verify(
            &key,
            &original.id,
            &original.timestamp,
            &original.signature,
            body.as_bytes(),
            now,
            webhook::TOLERANCE,
        )
    };
    assert_eq!(check(&original.body), Ok(()));
    assert_eq!(check(&tampered), Err(VerifyError::Signature));
    let answer = reqwest::Client::new()
        .post(&receiver.url)
        .header("webhook-id", &original.id)
        .header("webhook-timestamp", &original.timestamp)
        .header("webhook-signature", &original.signature)
        .body(tampered.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    // The README's receiver in Python agrees.
    assert!(python_accepts(&secret, &original, &original.body));
    assert!(!python_accepts(&secret, &original, &tampered));
    // A message replayed later than the tolerance is refused too.
    let old = (Utc::now() - chrono::Duration::minutes(10)).timestamp();
    let replayed = key.sign(&original.id, old, original.body.as_bytes());
    let answer = reqwest::Client::new()
        .post(&receiver.url)
        .header("webhook-id", "msg_replayed")
        .header("webhook-timestamp", old.to_string())
        .header("webhook-signature", replayed)
        .body(original.body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);

    // Nothing is left to send, and nothing is sent twice by later passes.
    deliver_retries(&app).await;
    assert_eq!(receiver.messages().len(), 5);
    let rows = outbox_operation::Entity::find().all(&app.db).await.unwrap();
    assert!(rows.iter().all(|r| r.status == "done" && r.tries == 2));
}

#[tokio::test]
async fn a_tools_own_webhook_hears_of_its_tool_only_with_why_it_ended() {
    let secret = SigningKey::generate();
    let receiver = Receiver::start(&secret, false).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("testbot.whsec"), format!("{secret}\n")).unwrap();
    let fixtures = std::fs::read_to_string(fixtures().join("tools.toml")).unwrap();
    let tools = dir.path().join("tools.toml");
    std::fs::write(
        &tools,
        fixtures.replacen(
            "requires_courses = [\"grundlagen\"]\n",
            &format!(
                "requires_courses = [\"grundlagen\"]\nwebhook_url = \"{}\"\nwebhook_secret_file = \"testbot.whsec\"\n",
                receiver.url
            ),
            1,
        ),
    )
    .unwrap();
    let app = spawn_app_with(TestConfig {
        tools,
        ..Default::default()
    })
    .await;
    let (anna, _) = app.certified_person("Anna Beck").await;
    let (bernd, _) = app.certified_person("Bernd Cho").await;
    let messages = receiver.wait_for(2).await;
    assert_eq!(
        types(&messages),
        [
            "entitlement.granted testbot -",
            "entitlement.granted testbot -"
        ],
        "no certificate events, nothing of the other tool"
    );

    // Anna's certificate ends in two seconds: noticed at its second, without a write.
    let anna_id = kiwi::db::users::by_email(&app.db, &anna.email.to_lowercase())
        .await
        .unwrap()
        .unwrap()
        .id;
    let ends = Utc::now() + chrono::Duration::seconds(2);
    let mut ending = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(anna_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    ending.valid_until = Set(ends);
    ending.update(&app.db).await.unwrap();
    let messages = receiver.wait_for(3).await;
    assert_eq!(types(&messages[2..]), ["entitlement.ended testbot expired"]);
    assert_eq!(messages[2].1["data"]["email"], anna.email.as_str());
    assert_eq!(
        messages[2].1["data"]["valid_until"],
        serde_json::Value::Null
    );

    // Bernd leaves.
    let csv = "personnel_number,name,email,org_unit,roles\nP-NEW-1,Neu Person,neu.person@stadt.example,Dezernat I,\n";
    import::import_csv(
        &app.db,
        &app.state.mail,
        csv.as_bytes(),
        ImportOptions {
            mark_missing_as_left: true,
        },
        Actor::Operator,
    )
    .await
    .unwrap();
    let messages = receiver.wait_for(4).await;
    assert_eq!(types(&messages[3..]), ["entitlement.ended testbot left"]);
    assert_eq!(messages[3].1["data"]["email"], bernd.email.as_str());
    assert!(receiver.requests().iter().all(|r| r.verdict == Ok(())));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(receiver.messages().len(), 4, "nothing more");
}
