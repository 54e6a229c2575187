//! Orders with real suppliers on SQLite (`supplier_orders`): the intent written before the
//! supplier is called, and each answer written on its row.

use crate::error::Result;
use crate::store::port::{NewSupplierOrder, PlacedOrder, SupplierOrderRow};
use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn rows(conn: &Connection, filter: &str, arg: &str) -> Result<Vec<SupplierOrderRow>> {
    let sql = format!(
        "SELECT id, booking_id, seq, kind, provider, offer_id, offer, status, order_id, created_at FROM supplier_orders WHERE {filter} ORDER BY created_at, seq"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map([arg], |r| {
            Ok(SupplierOrderRow {
                id: r.get(0)?,
                booking_id: r.get(1)?,
                seq: r.get(2)?,
                kind: r.get(3)?,
                provider: r.get(4)?,
                offer_id: r.get(5)?,
                offer: r.get(6)?,
                status: r.get(7)?,
                order_id: r.get(8)?,
                created_at: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Held (unpaid) flight orders, confirmed, among those `filter` selects.
pub(super) fn held_flights(
    conn: &Connection,
    filter: &str,
    arg: &str,
) -> Result<Vec<SupplierOrderRow>> {
    rows(
        conn,
        &format!("status = 'confirmed' AND held = 1 AND kind = 'flight' AND {filter}"),
        arg,
    )
}

pub(super) fn intent(conn: &Connection, o: &NewSupplierOrder<'_>) -> Result<()> {
    conn.prepare_cached("INSERT INTO supplier_orders(id, booking_id, seq, kind, provider, offer_id, offer, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?8)")?.execute(params![o.id, o.booking, o.seq, o.kind, o.provider, o.supplier_ref, o.offer, o.at])?;
    Ok(())
}

pub(super) fn cancelling(conn: &Connection, booking: &str, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE supplier_orders SET status = 'cancelling', updated_at = ?2 WHERE booking_id = ?1 AND status = 'confirmed'")?.execute(params![booking, at])?;
    Ok(())
}

pub(super) fn unpaid_held(conn: &Connection, booking: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT s.provider FROM supplier_orders s JOIN bookings b ON b.id = s.booking_id
             WHERE s.booking_id = ?1 AND s.status = 'confirmed' AND s.held = 1 AND b.status = 'CONFIRMED' LIMIT 1")?.query_row([booking],
            |r| r.get(0))
        .optional()?)
}

pub(super) fn open(conn: &Connection, booking: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT provider, status FROM supplier_orders WHERE booking_id = ?1 AND status IN ('pending', 'cancelling') LIMIT 1")?.query_row([booking],
            |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

pub(super) fn held_until(conn: &Connection, booking: &str, default: i64) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT min(coalesce(payment_required_by, ?2)) FROM supplier_orders WHERE booking_id = ?1 AND status = 'confirmed' AND held = 1")?.query_row(params![booking, default],
        |r| r.get(0))?)
}

pub(super) fn placed(
    conn: &Connection,
    row: &SupplierOrderRow,
    p: &PlacedOrder<'_>,
    at: i64,
) -> Result<()> {
    conn.prepare_cached("UPDATE supplier_orders SET status = ?2, order_id = ?3, booking_reference = ?4, updated_at = ?5, held = ?6, payment_required_by = ?7 WHERE id = ?1")?.execute(params![
            row.id,
            p.status,
            p.order_id,
            p.booking_reference,
            at,
            p.held,
            p.payment_required_by,
        ])?;
    conn.prepare_cached(
        "UPDATE booking_items SET reference = ?3 WHERE booking_id = ?1 AND seq = ?2",
    )?
    .execute(params![row.booking_id, row.seq, p.booking_reference])?;
    Ok(())
}

pub(super) fn failed(conn: &Connection, order: &str, reason: &str, at: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE supplier_orders SET status = 'failed', message = ?2, updated_at = ?3 WHERE id = ?1",
    )?
    .execute(params![order, reason, at])?;
    Ok(())
}

pub(super) fn note(conn: &Connection, order: &str, message: &str, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE supplier_orders SET message = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(params![order, message, at])?;
    Ok(())
}

pub(super) fn paid(conn: &Connection, order: &str, at: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE supplier_orders SET held = 0, message = NULL, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(params![order, at])?;
    Ok(())
}

pub(super) fn cancel_quoted(
    conn: &Connection,
    order: &str,
    cancellation: &str,
    refund: Option<(i64, &str)>,
    at: i64,
) -> Result<()> {
    conn.prepare_cached("UPDATE supplier_orders SET cancellation_id = ?2, refund_amount = ?3, refund_currency = ?4, updated_at = ?5 WHERE id = ?1")?.execute(params![order, cancellation, refund.map(|r| r.0), refund.map(|r| r.1), at])?;
    Ok(())
}

pub(super) fn cancelled(conn: &Connection, order: &str, at: i64) -> Result<()> {
    conn.prepare_cached("UPDATE supplier_orders SET status = 'cancelled', message = NULL, updated_at = ?2 WHERE id = ?1")?.execute(params![order, at])?;
    Ok(())
}

pub(super) fn status(conn: &Connection, order: &str) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT status FROM supplier_orders WHERE id = ?1")?
        .query_row([order], |r| r.get(0))?)
}
