//! Pages that show their data only to a browser: after a click, a search,
//! a scroll, or built by a script.

/// A card per (name, price), as the tests' other pages write them.
pub fn card(name: &str, price: &str) -> String {
    format!(
        "<div class=\"card\"><h2 class=\"name\">{name}</h2><span class=\"price\">{price}</span></div>"
    )
}

fn page(body: &str, script: &str) -> String {
    format!("<!doctype html><html><body>{body}<script>{script}</script></body></html>")
}

/// The products appear once "Show" is clicked (after a short delay, as a
/// fetch would take).
pub fn behind_a_button() -> String {
    page(
        "<button id=\"show\">Show products</button><div id=\"list\"></div>",
        r#"document.getElementById('show').addEventListener('click', () => {
             setTimeout(() => {
               document.getElementById('list').innerHTML =
                 '<div class="card"><h2 class="name">Lamp</h2><span class="price">$12.50</span></div>' +
                 '<div class="card"><h2 class="name">Desk</h2><span class="price">$99</span></div>';
             }, 150);
           });"#,
    )
}

/// A search box: typing and Enter show the products whose name holds the text.
pub fn search() -> String {
    page(
        "<form id=\"f\"><input id=\"q\" name=\"q\"><button>Go</button></form><div id=\"results\"></div>",
        r#"const all = [['Desk lamp', '$20'], ['Floor lamp', '$45'], ['Chair', '$60']];
           document.getElementById('f').addEventListener('submit', e => {
             e.preventDefault();
             const q = document.getElementById('q').value.toLowerCase();
             document.getElementById('results').innerHTML = all
               .filter(([n]) => n.toLowerCase().includes(q))
               .map(([n, p]) => `<div class="card result"><h2 class="name">${n}</h2><span class="price">${p}</span></div>`)
               .join('');
           });"#,
    )
}

/// `total` products, 20 at a time: more come as the page is scrolled to
/// its bottom, until all are there.
pub fn infinite(total: usize) -> String {
    page(
        "<div id=\"list\"></div>",
        &format!(
            r#"let shown = 0;
               function more() {{
                 const list = document.getElementById('list');
                 for (let i = 0; i < 20 && shown < {total}; i++, shown++) {{
                   const d = document.createElement('div');
                   d.className = 'card';
                   d.style.height = '60px';
                   d.innerHTML = `<h2 class="name">Item ${{shown + 1}}</h2><span class="price">$${{shown + 1}}</span>`;
                   list.appendChild(d);
                 }}
               }}
               more();
               window.addEventListener('scroll', () => {{
                 if (window.innerHeight + window.scrollY >= document.body.offsetHeight - 10) {{
                   setTimeout(more, 50);
                 }}
               }});"#
        ),
    )
}

/// Page `n` of `of`, its products built by script, with a "next" link to
/// the next page.
pub fn numbered(n: usize, of: usize) -> String {
    let next = if n < of {
        format!("<a class=\"next\" href=\"/p{}\">Next</a>", n + 1)
    } else {
        String::new()
    };
    page(
        &format!("<div id=\"list\"></div>{next}"),
        &format!(
            r#"document.getElementById('list').innerHTML =
                 '<div class="card"><h2 class="name">P{n}a</h2><span class="price">${n}</span></div>' +
                 '<div class="card"><h2 class="name">P{n}b</h2><span class="price">${n}.50</span></div>';"#
        ),
    )
}
