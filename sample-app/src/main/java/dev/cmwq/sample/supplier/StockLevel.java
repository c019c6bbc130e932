package dev.cmwq.sample.supplier;

/**
 * What the supplier says it has.
 * @param sku the article
 * @param available units in stock
 */
public record StockLevel(String sku, int available) {
}
