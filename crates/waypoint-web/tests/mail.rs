//! E-mail through a real SMTP server: `aiosmtpd` (from PyPI) receives what
//! Waypoint sends into a maildir, and the messages are read back from it.
//! Runs when `WAYPOINT_TEST_SMTP=1` (CI always sets it, and a server that
//! does not start is a failure there).

#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use axum::http::StatusCode;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::{Backend, app};
use waypoint_domain::Role;
use waypoint_domain::goals::SchoolYear;
use waypoint_domain::growth::GoalText;
use waypoint_store::{MailSettings, NewPersonalGoal};

/// An aiosmtpd server on a free port, writing a maildir; stopped on drop.
struct Smtp {
    child: Child,
    port: u16,
    maildir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.maildir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn smtp() -> Smtp {
    let port = free_port();
    let maildir = std::env::temp_dir().join(format!("waypoint-mail-{}-{port}", std::process::id()));
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("python3 -m aiosmtpd starts (pip install aiosmtpd)");
    let server = Smtp {
        child,
        port,
        maildir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not listen on {port}");
}

/// The messages in a maildir, as text.
fn messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect()
}

#[tokio::test]
async fn notifications_and_reminders_arrive_by_mail_once() {
    if std::env::var("WAYPOINT_TEST_SMTP").as_deref() != Ok("1") {
        let in_ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
        assert!(
            !in_ci,
            "CI must run the e-mail test: set WAYPOINT_TEST_SMTP=1"
        );
        eprintln!("skipped: WAYPOINT_TEST_SMTP is not set");
        return;
    }
    let server = smtp().await;
    let app = app(Backend::Sqlite).await.unwrap();
    let s = &app.store;
    let educator = app.person(Role::Educator).await;
    let coach = app.person(Role::Coach).await;
    let coach_email = s.staff(coach).await.unwrap().unwrap().row.email.unwrap();
    let educator_email = s.staff(educator).await.unwrap().unwrap().row.email.unwrap();
    let now = waypoint_web::now_ms();
    // Something from before mail is switched on is never sent.
    let goal = s
        .create_personal_goal(&NewPersonalGoal {
            owner: educator,
            year: SchoolYear::starting(2026),
            system_goal: None,
            text: GoalText::new("How can I?", "A", "B", "", "Try", "", "").unwrap(),
            competencies: vec![],
            cadence_days: 21,
            carried_from: None,
            now,
        })
        .await
        .unwrap();
    s.comment_on_goal(goal, "", "Before mail", coach, now)
        .await
        .unwrap();
    s.save_mail_settings(
        &MailSettings {
            host: "127.0.0.1".into(),
            port: server.port,
            from: "Waypoint <waypoint@riverbend.example.org>".into(),
            enabled: true,
            enabled_at: None,
        },
        coach,
        now + 1,
    )
    .await
    .unwrap();
    s.submit_personal_goal(goal, coach, now + 2).await.unwrap();
    // Agreed with the first check-in due today: a reminder goes to both.
    let today = waypoint_web::pages::growth::today().to_string();
    s.agree_personal_goal(goal, coach, &today, now + 3)
        .await
        .unwrap();
    let sent = waypoint_web::mail::round(&**s, "https://waypoint.riverbend.example.org")
        .await
        .unwrap();
    assert_eq!(
        sent, 4,
        "review asked, agreed, and the reminder to each side"
    );
    let got = messages(&server.maildir);
    assert_eq!(got.len(), 4, "{got:#?}");
    let to_coach: Vec<&String> = got
        .iter()
        .filter(|m| m.contains(&format!("<{coach_email}>")))
        .collect();
    let to_educator: Vec<&String> = got
        .iter()
        .filter(|m| m.contains(&format!("<{educator_email}>")))
        .collect();
    assert_eq!((to_coach.len(), to_educator.len()), (2, 2));
    assert!(
        to_coach
            .iter()
            .any(|m| m.contains("Subject: Waypoint: ") && m.contains("asks you to review a goal"))
    );
    assert!(to_educator.iter().any(|m| m.contains("agreed your goal")));
    assert!(
        to_educator
            .iter()
            .any(|m| m.contains("Your check-in is due on"))
    );
    assert!(
        got.iter().all(|m| m.contains(&format!(
            "https://waypoint.riverbend.example.org/growth/goals/{goal}"
        ))),
        "each links to the goal"
    );
    assert!(
        got.iter().all(|m| !m.contains("Before mail")),
        "nothing from before"
    );
    // Each once: another round sends nothing.
    assert_eq!(
        waypoint_web::mail::round(&**s, "https://x").await.unwrap(),
        0
    );
    assert_eq!(messages(&server.maildir).len(), 4);

    // The administrator's test message, from the page.
    let mut admin = app.signed_in(&app.username(Role::Administrator)).await;
    admin.get("/admin/mail").await;
    let r = admin.post_form("/admin/mail/test", &[]).await;
    let admin_id = app.person(Role::Administrator).await;
    match s.staff(admin_id).await.unwrap().and_then(|x| x.row.email) {
        Some(email) if !email.is_empty() => {
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("A test message went to"), "{}", r.body);
            let got = messages(&server.maildir);
            assert!(
                got.iter()
                    .any(|m| m.contains(&format!("<{email}>")) && m.contains("test message"))
            );
        }
        _ => assert_eq!(r.status, StatusCode::CONFLICT),
    }
    // A relay that is not there: the page says so, nothing is marked sent.
    let dead = MailSettings {
        host: "127.0.0.1".into(),
        port: free_port(),
        from: "Waypoint <waypoint@riverbend.example.org>".into(),
        enabled: true,
        enabled_at: None,
    };
    s.save_mail_settings(&dead, coach, now + 10).await.unwrap();
    s.comment_on_goal(goal, "", "After", coach, now + 11)
        .await
        .unwrap();
    assert!(waypoint_web::mail::round(&**s, "https://x").await.is_err());
    assert_eq!(
        s.outgoing_mail(10).await.unwrap().len(),
        1,
        "kept for the next round"
    );
}
