//! A real OpenLDAP for the tests: Debian's `slapd` with a configuration and database of its
//! own in a temporary directory, on a free loopback port, seeded with people and groups;
//! read and changed by hand with `ldap-utils`, as an administrator would. Stopped on drop.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiwi::config::Settings;

use crate::helpers::Adjust;

pub const SUFFIX: &str = "dc=stadt,dc=example";
pub const PEOPLE: &str = "ou=people,dc=stadt,dc=example";
pub const ADMIN_DN: &str = "cn=admin,dc=stadt,dc=example";
const ADMIN_PASSWORD: &str = "slapd-admin-secret";
/// The account kiwi binds as: it may read people and change the members of groups, no more.
pub const KIWI_DN: &str = "cn=kiwi,ou=services,dc=stadt,dc=example";
pub const KIWI_PASSWORD: &str = "kiwi-bind-secret";

/// The DN of a group under `ou=groups`.
pub fn group_dn(cn: &str) -> String {
    format!("cn={cn},ou=groups,{SUFFIX}")
}

pub fn person_dn(uid: &str) -> String {
    format!("uid={uid},{PEOPLE}")
}

fn slapd_binary() -> &'static str {
    ["/usr/sbin/slapd", "slapd"]
        .into_iter()
        .find(|b| Path::new(b).exists() || *b == "slapd")
        .unwrap_or("slapd")
}

pub struct Slapd {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
    /// Served over TLS (`ldaps://`), with a certificate of a CA of the test's own.
    tls: bool,
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.down();
    }
}

impl Slapd {
    /// A directory with `ou=people`, `ou=services` (kiwi's account) and these groups of
    /// names, each holding the administrator as its first member (groupOfNames must have
    /// one; it is a member kiwi does not manage).
    pub fn start(groups: &[&str]) -> Slapd {
        Slapd::start_with(groups, false)
    }

    /// The same directory over `ldaps://` only, its certificate (for 127.0.0.1) signed by a
    /// CA made for the test (`ca_file()`), which no certificate store trusts.
    pub fn start_with_tls(groups: &[&str]) -> Slapd {
        Slapd::start_with(groups, true)
    }

    fn start_with(groups: &[&str], tls: bool) -> Slapd {
        let dir = tempfile::tempdir().unwrap();
        let tls_config = if tls {
            make_certificates(dir.path());
            format!(
                "TLSCertificateFile {0}/server.pem\nTLSCertificateKeyFile {0}/server.key\n",
                dir.path().display()
            )
        } else {
            String::new()
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::create_dir(dir.path().join("db")).unwrap();
        let config = format!(
            "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
argsfile {dir}/slapd.args
{tls_config}database mdb
maxsize 10485760
suffix \"{SUFFIX}\"
rootdn \"{ADMIN_DN}\"
rootpw {ADMIN_PASSWORD}
directory {dir}/db
index objectClass eq
index mail,employeeNumber,uid eq
access to attrs=userPassword
    by anonymous auth
    by * none
access to dn.subtree=\"ou=groups,{SUFFIX}\" attrs=member,memberUid
    by dn.exact=\"{KIWI_DN}\" write
    by users read
access to *
    by users read
",
            dir = dir.path().display()
        );
        std::fs::write(dir.path().join("slapd.conf"), config).unwrap();
        let mut seed = format!(
            "dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Stadt Musterstadt
dc: stadt

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: ou=services,{SUFFIX}
objectClass: organizationalUnit
ou: services

dn: {KIWI_DN}
objectClass: organizationalRole
objectClass: simpleSecurityObject
cn: kiwi
userPassword: {KIWI_PASSWORD}
"
        );
        for group in groups {
            seed.push_str(&format!(
                "\ndn: {}\nobjectClass: groupOfNames\ncn: {group}\nmember: {ADMIN_DN}\n",
                group_dn(group)
            ));
        }
        std::fs::write(dir.path().join("seed.ldif"), seed).unwrap();
        let status = Command::new("slapadd")
            .arg("-f")
            .arg(dir.path().join("slapd.conf"))
            .arg("-l")
            .arg(dir.path().join("seed.ldif"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect(
                "the directory tests need OpenLDAP: apt-get install slapd ldap-utils (./test does it)",
            );
        assert!(status.success(), "slapadd seeds the directory");
        let mut slapd = Slapd {
            port,
            dir,
            child: None,
            tls,
        };
        slapd.up();
        slapd
    }

    pub fn url(&self) -> String {
        let scheme = if self.tls { "ldaps" } else { "ldap" };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    /// The certificate of the CA that signed the directory's (with TLS).
    pub fn ca_file(&self) -> std::path::PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Starts slapd (again) on its port, in the foreground so that the test owns it.
    pub fn up(&mut self) {
        if self.child.is_some() {
            return;
        }
        let child = Command::new(slapd_binary())
            .arg("-f")
            .arg(self.dir.path().join("slapd.conf"))
            .arg("-h")
            .arg(format!("{}/", self.url()))
            .arg("-d")
            .arg("0")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("slapd starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "slapd listens");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops slapd: the directory is down until `up()`.
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Points kiwi at this directory, bound as its own account, people matched by `mail`.
    pub fn settings(&self) -> Adjust {
        let url = self.url();
        Arc::new(move |settings: &mut Settings| {
            settings.ldap_url = Some(url.clone());
            settings.ldap_bind_dn = Some(KIWI_DN.into());
            settings.ldap_bind_password = Some(KIWI_PASSWORD.parse().unwrap());
            settings.ldap_people_base = Some(PEOPLE.into());
        })
    }

    /// Runs an `ldap-utils` command as the directory's administrator, with `input`.
    fn ldap(&self, tool: &str, args: &[&str], input: &str) -> String {
        let mut child = Command::new(tool)
            .env("LDAPTLS_CACERT", self.ca_file())
            .args([
                "-x",
                "-H",
                &self.url(),
                "-D",
                ADMIN_DN,
                "-w",
                ADMIN_PASSWORD,
            ])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|_| panic!("{tool} runs (apt-get install ldap-utils)"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{tool} {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Adds a person under `ou=people`.
    pub fn add_person(&self, uid: &str, mail: &str, employee_number: &str) -> String {
        let dn = person_dn(uid);
        self.ldap(
            "ldapadd",
            &[],
            &format!(
                "dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {uid}\nsn: {uid}\nmail: {mail}\nemployeeNumber: {employee_number}\n"
            ),
        );
        dn
    }

    /// Adds a posixGroup under `ou=groups` (members by uid), with no member.
    pub fn add_posix_group(&self, cn: &str) -> String {
        let dn = group_dn(cn);
        self.ldap(
            "ldapadd",
            &[],
            &format!("dn: {dn}\nobjectClass: posixGroup\ncn: {cn}\ngidNumber: 5001\n"),
        );
        dn
    }

    /// Adds or removes a member by hand, as an administrator would.
    pub fn change_member(&self, group: &str, attribute: &str, value: &str, add: bool) {
        let verb = if add { "add" } else { "delete" };
        self.ldap(
            "ldapmodify",
            &[],
            &format!(
                "dn: {group}\nchangetype: modify\n{verb}: {attribute}\n{attribute}: {value}\n"
            ),
        );
    }

    /// The values of a group's member attribute, as `ldapsearch` reads them.
    pub fn members(&self, group: &str, attribute: &str) -> Vec<String> {
        let out = self.ldap(
            "ldapsearch",
            &[
                "-LLL",
                "-o",
                "ldif-wrap=no",
                "-b",
                group,
                "-s",
                "base",
                attribute,
            ],
            "",
        );
        let prefix = format!("{attribute}: ");
        let mut members: Vec<String> = out
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
            .collect();
        members.sort();
        members
    }

    /// Waits until `check` holds for the group's members (the background worker applies
    /// within about a second), and returns them.
    pub async fn wait_for_members(
        &self,
        group: &str,
        attribute: &str,
        check: impl Fn(&[String]) -> bool,
    ) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let members = self.members(group, attribute);
            if check(&members) {
                return members;
            }
            assert!(
                Instant::now() < deadline,
                "the group never got there: {members:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// A CA and a server certificate for 127.0.0.1 signed by it, made with `openssl`.
fn make_certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let output = Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .expect("openssl runs");
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // A name of its own: another test's CA is another issuer.
    let subject = format!(
        "/CN=kiwi test CA {}",
        dir.file_name().unwrap_or_default().to_string_lossy()
    );
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        &subject,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "server.ext",
    ]);
}
