//! Structural checks of encoded bodies, used by the corpus and property
//! tests: re-decode (which verifies that every branch and clause boundary
//! lands on an instruction boundary), clause nesting and order, stack
//! consistency, and max stack against the simulated depth.

use NewRelicProfiler::il::{CallResolver, Handler, MethodBody};

/// Block ranges of a clause in byte offsets: [start, end).
fn blocks(body: &MethodBody, layout: &NewRelicProfiler::il::Layout) -> Vec<[(u32, u32); 3]> {
    let pos: std::collections::HashMap<_, _> = body
        .labels()
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i))
        .collect();
    let off = |l| {
        pos.get(&l)
            .and_then(|&p| layout.offsets.get(p))
            .copied()
            .unwrap_or(0)
    };
    let end = |l| {
        pos.get(&l)
            .and_then(|&p| {
                layout
                    .offsets
                    .get(p + 1)
                    .copied()
                    .or(Some(layout.code_size))
            })
            .unwrap_or(0)
    };
    body.clauses()
        .iter()
        .map(|c| {
            let filter = match c.handler {
                Handler::Filter(f) => (off(f), off(c.handler_first)),
                _ => (0, 0),
            };
            [
                (off(c.try_first), end(c.try_last)),
                (off(c.handler_first), end(c.handler_last)),
                filter,
            ]
        })
        .collect()
}

fn contains(outer: (u32, u32), inner: (u32, u32)) -> bool {
    outer.0 <= inner.0 && inner.1 <= outer.1 && outer.0 < outer.1
}

fn disjoint(a: (u32, u32), b: (u32, u32)) -> bool {
    a.1 <= b.0 || b.1 <= a.0 || a.0 == a.1 || b.0 == b.1
}

/// Checks an encoded body; returns a description of the first problem.
pub fn check_encoded(bytes: &[u8], resolver: &dyn CallResolver) -> Result<MethodBody, String> {
    let body = MethodBody::decode(bytes).map_err(|e| format!("re-decode: {e}"))?;
    if body.decoded_size() != Some(bytes.len()) {
        return Err(format!(
            "decoded size {:?} != encoded {}",
            body.decoded_size(),
            bytes.len()
        ));
    }
    let again = body.encode().map_err(|e| format!("re-encode: {e}"))?;
    if again != bytes {
        return Err("re-encode is not stable".into());
    }
    let layout = body
        .layout(&Default::default())
        .map_err(|e| format!("layout: {e}"))?;
    let b = blocks(&body, &layout);
    for (i, x) in b.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            if i == j {
                continue;
            }
            // Every block of one clause is disjoint from or nested in every block of another.
            for &bx in x {
                for &by in y {
                    if !(disjoint(bx, by) || contains(bx, by) || contains(by, bx)) {
                        return Err(format!("clauses {i} and {j} overlap"));
                    }
                }
            }
            // Inner before outer: x's try inside a block of y (other than an identical try) ⇒ i < j.
            let nested = (contains(y[0], x[0]) && y[0] != x[0])
                || contains(y[1], x[0])
                || (y[2].0 < y[2].1 && contains(y[2], x[0]));
            if nested && i > j {
                return Err(format!("clause {i} is nested in {j} but listed after it"));
            }
        }
    }
    let report = body
        .analyze_stack(resolver)
        .map_err(|e| format!("stack: {e}"))?;
    if report.inconsistent_joins != 0 {
        return Err(format!("{} inconsistent joins", report.inconsistent_joins));
    }
    if report.underflows != 0 {
        return Err(format!("{} stack underflows", report.underflows));
    }
    if u32::from(body.header.max_stack) < report.max_depth {
        return Err(format!(
            "max stack {} < simulated {}",
            body.header.max_stack, report.max_depth
        ));
    }
    Ok(body)
}
