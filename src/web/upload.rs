//! Uploading a form that arrived another way (WeChat, a USB stick): the file is wrapped in a mail
//! from the unit's first registered address and taken in by the same intake as mail, so it is
//! checked, stored and versioned exactly as if the unit had mailed it, with its receipt number.
//! The message records who uploaded it (`X-Reportdesk-Uploaded-By`, source `upload:web:NAME`)
//! and the upload is in the audit log. Its sender check is not made from the mail: the login
//! authenticates the upload, so it is stored as `pass` with the evidence "uploaded on the web
//! console by NAME" and never held, even under `require_pass` ([`vouched_by`]).
//!
//! The receipt is optional (SPEC §15): the box 给该单位发回执 is ticked by default, and the unit
//! is then answered as for mail (receipt, or the return saying what to fix). Unticked, intake
//! records the form all the same but mails the unit nothing ([`Answering::Withheld`]); the
//! message's note says "not answered: uploaded without a receipt". The result page and the
//! audit line say whether a reply was queued.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use maud::{Markup, html};
use sha2::{Digest, Sha256};

use super::auth::Staff;
use super::{Shared, WebError, layout};
use crate::intake::report::{IngestReport, Outcome};
use crate::intake::{Answering, Source};
use crate::sender::{SenderCheck, Verdict};
use crate::store::outbox::ReplyKind;
use crate::store::{StoreError, staff};

pub async fn page(State(web): State<Shared>, staff: Staff) -> Result<Markup, WebError> {
    Ok(layout::page("上传报表", &staff, form(&web, None)))
}

fn form(web: &Shared, outcome: Option<Markup>) -> Markup {
    let config = web.config();
    let roster = config.roster.current();
    html! {
        h1 { "上传报表" }
        p.note { "用于通过微信等其他途径收到的报表：与邮件走同一流程核对、登记，并记录为您上传。" }
        @if let Some(outcome) = outcome { div #outcome { (outcome) } }
        form method="post" action="/upload" enctype="multipart/form-data" {
            label { "单位 "
                select name="unit" required {
                    @for unit in roster.units() {
                        option value=(unit.code.as_str()) { (unit.name) }
                    }
                }
            }
            label { "报表文件（xlsx / xls / ods）" input type="file" name="file" required; }
            label {
                input type="checkbox" name="receipt" value="1" checked;
                " 给该单位发回执"
                span.note { "（不勾选：照常核对、登记，但不给该单位发任何邮件，结果只显示在本页）" }
            }
            button type="submit" { "上传" }
        }
    }
}

/// What the form sent.
struct Upload {
    unit: String,
    file_name: String,
    bytes: Vec<u8>,
    /// The box 给该单位发回执 was ticked (an unticked box is not sent at all).
    receipt: bool,
}

async fn read(mut multipart: Multipart) -> Result<Upload, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        WebError::BadRequest(format!("上传的内容读不出来：{e}"))
    };
    let (mut unit, mut file, mut receipt) = (None, None, false);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("unit") => unit = Some(field.text().await.map_err(bad)?),
            Some("receipt") => receipt = true,
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.xlsx").to_string();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    match (unit, file) {
        (Some(unit), Some((file_name, bytes))) if !bytes.is_empty() => Ok(Upload {
            unit,
            file_name,
            bytes,
            receipt,
        }),
        _ => Err(WebError::BadRequest("请选择单位和报表文件。".into())),
    }
}

pub async fn submit(
    State(web): State<Shared>,
    staff: Staff,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let upload = read(multipart).await?;
    let config = web.config();
    let unit = config
        .roster
        .by_code(&upload.unit)
        .ok_or_else(|| WebError::NotFound(format!("单位 {}", upload.unit)))?;
    let Some(address) = unit.addresses.first() else {
        return Err(WebError::BadRequest(format!(
            "{} 没有登记邮箱：请先在名册里登记一个，回执发往该邮箱。",
            unit.name
        )));
    };
    let now = web.now();
    let raw = wrap(&upload, address, &config.office.address, &staff.name, now);
    let source_name = format!("web:{}", staff.name);
    let source = Source {
        kind: "upload",
        name: &source_name,
    };
    let answering = if upload.receipt {
        Answering::Reply
    } else {
        Answering::Withheld
    };
    let check = vouched_by(&staff.name);
    let report = web
        .intake(&config)
        .ingest_vouched(&raw, now, &source, now, check, answering)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    if report.reply.is_some() {
        web.wake_delivery();
    }
    let mut tx = web.store.begin().await?;
    let mailed = match (&report.reply, answering) {
        (Some(reply), _) => format!("{} queued", reply.kind.as_str()),
        (None, Answering::Withheld) => "no receipt (unticked)".into(),
        (None, Answering::Reply) => "not answered".into(),
    };
    let detail = format!("{} {}, {mailed}", upload.file_name, report.outcome.as_str());
    staff::audit(
        &mut tx,
        now,
        &staff.name,
        "upload",
        unit.code.as_str(),
        &detail,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    let accepted = report.outcome == Outcome::Accepted;
    let said = match report.outcome {
        // Not returned by mail: the problems are listed below for the uploader.
        Outcome::Rejected if report.reply.is_none() => "未通过核对（问题见下）",
        outcome => outcome_zh(outcome),
    };
    let outcome = html! {
        p class=(if accepted { "ok" } else { "problem" }) {
            (unit.name) "：" (said)
            @if let Some(receipt) = &report.receipt_no { "，回执号 " (receipt) }
        }
        @for form in &report.forms { @for error in &form.errors { p.problem { (error.message) } } }
        @for error in &report.errors { p.problem { (error.message) } }
        p #mailed { (mailed_zh(&report, answering)) }
    };
    let status = if accepted {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((
        status,
        layout::page("上传报表", &staff, form(&web, Some(outcome))),
    )
        .into_response())
}

/// The sender check of an upload: the console login authenticates it (SPEC §13 `pass`, never
/// held, even under `require_pass`), and the evidence names who uploaded it.
pub fn vouched_by(user: &str) -> SenderCheck {
    SenderCheck {
        verdict: Verdict::Pass,
        evidence: vec![format!("uploaded on the web console by {user} (logged in)")],
    }
}

/// Whether the unit was mailed, for the result page.
fn mailed_zh(report: &IngestReport, answering: Answering) -> String {
    match (&report.reply, answering) {
        (Some(reply), _) => {
            let what = match reply.kind {
                ReplyKind::Receipt => "回执",
                ReplyKind::Return => "退回通知（说明要改什么）",
                _ => "说明邮件",
            };
            format!("已给该单位发{what}，发往 {}。", reply.to)
        }
        (None, Answering::Withheld) => "未给该单位发回执（上传时未勾选）。".into(),
        (None, Answering::Reply) => "未给该单位发邮件。".into(),
    }
}

pub(super) fn outcome_zh(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Accepted => "已接收",
        Outcome::Rejected => "未通过核对，已退回（回执说明了要改什么）",
        Outcome::Duplicate => "这份文件已经上传过，未重复登记",
        Outcome::Held => "待核验",
        Outcome::Ignored | Outcome::Quarantined => "未找到报表",
    }
}

/// The upload as a mail from the unit to the office, with the uploader named in a header.
fn wrap(
    upload: &Upload,
    from: &str,
    to: &str,
    uploader: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<u8> {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let id = hex::encode(&Sha256::digest(&upload.bytes)[..12]);
    let name = b64(upload.file_name.as_bytes());
    let mut out = format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <upload-{id}@reportdesk.invalid>\r\n\
         Date: {}\r\nX-Reportdesk-Uploaded-By: =?UTF-8?B?{}?=\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"reportdesk-upload\"\r\n\r\n\
         --reportdesk-upload\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nuploaded on the web console\r\n\
         --reportdesk-upload\r\nContent-Type: application/octet-stream; name=\"=?UTF-8?B?{name}?=\"\r\n\
         Content-Disposition: attachment; filename=\"=?UTF-8?B?{name}?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
        b64("网页上传的报表".as_bytes()),
        now.to_rfc2822(),
        b64(uploader.as_bytes()),
    );
    let encoded = b64(&upload.bytes);
    for line in encoded.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push_str("\r\n");
    }
    out.push_str("--reportdesk-upload--\r\n");
    out.into_bytes()
}
