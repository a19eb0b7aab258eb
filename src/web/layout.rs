//! The page frame: one small style sheet that reads on a phone, the navigation, and helpers
//! shared by the pages.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::staff::Staff;

const STYLE: &str = r#"
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#1f4e79;color:#fff;padding:.5em 1em}header a{color:#fff;margin-right:1em;text-decoration:none;white-space:nowrap;display:inline-block}
header .who{float:right;font-size:.9em}header form{display:inline}
main{padding:1em;max-width:70em;margin:auto}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ccc;padding:.35em .5em;text-align:left}
th{background:#eef3f8}.num{text-align:right}
.s-done{color:#1a7f37}.s-late{color:#b35900}.s-returned{color:#8250df}.s-missing{color:#555}.s-overdue{color:#c62828;font-weight:bold}
.problem{color:#c62828}.ok{color:#1a7f37}.note{color:#666;font-size:.9em}
form.inline{display:inline}button{padding:.3em .8em}label{display:block;margin:.5em 0}
input[type=text],input[type=password],select{padding:.3em;max-width:100%}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(15em,1fr));gap:.8em}
figure{margin:0;background:#fff;border:1px solid #ddd;padding:.3em}figcaption{font-size:.9em}
@media (max-width:40em){td,th{padding:.25em;font-size:.9em}.wide{display:none}}
"#;

/// A page for a logged-in user.
pub fn page(title: &str, staff: &Staff, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title))
            body {
                header {
                    span.who {
                        (staff.name) "（" (staff.role.zh()) "） "
                        form.inline method="post" action="/logout" { button type="submit" { "退出" } }
                    }
                    nav {
                        a href="/" { "本月报送" }
                        a href="/summary" { "汇总" }
                        a href="/messages" { "来信记录" }
                        a href="/cases" { "典型案例" }
                        a href="/upload" { "上传报表" }
                        a href="/roster" { "名册" }
                        a href="/health" { "运行状态" }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page without navigation (login, errors).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            (head(title))
            body { main { (body) } }
        }
    }
}

/// A one-line page for errors and refusals.
pub fn message_page(text: &str) -> Markup {
    bare(
        "提示",
        html! { p.problem { (text) } p { a href="/" { "返回首页" } } },
    )
}

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " · 报表台" }
            style { (PreEscaped(STYLE)) }
            script src="/static/htmx.min.js" defer {}
        }
    }
}
