package dev.cmwq.bench;

import java.util.ArrayList;
import java.util.List;

/** A markdown table. */
final class Table {

	private final String[] header;

	private final List<String[]> rows = new ArrayList<>();

	Table(String... header) {
		this.header = header;
	}

	void row(Object... cells) {
		String[] r = new String[cells.length];
		for (int i = 0; i < cells.length; i++) {
			r[i] = String.valueOf(cells[i]);
		}
		this.rows.add(r);
	}

	@Override
	public String toString() {
		StringBuilder sb = new StringBuilder();
		line(sb, this.header);
		sb.append('|');
		for (int i = 0; i < this.header.length; i++) {
			sb.append(i == 0 ? " --- |" : " ---: |");
		}
		sb.append('\n');
		for (String[] r : this.rows) {
			line(sb, r);
		}
		return sb.toString();
	}

	private static void line(StringBuilder sb, String[] cells) {
		sb.append('|');
		for (String c : cells) {
			sb.append(' ').append(c).append(" |");
		}
		sb.append('\n');
	}

	static String f(String format, Object... args) {
		return String.format(java.util.Locale.ROOT, format, args);
	}

}
