package dev.cmwq.core;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A FIFO of references in a growing circular array, as {@link java.util.ArrayDeque}, but one that stays whole when
 * it cannot grow: it grows <em>before</em> it stores, so an add that throws (out of memory) changes nothing, where
 * an {@code ArrayDeque} that fails to grow has already stored the element and then reads as empty. For the pool's
 * lists of items, which must lose none in a flood. Not thread-safe: its owner's lock guards it (L).
 */
final class Ring<E> implements Iterable<E> {

	private Object[] elements;

	private int head;

	private int size;

	/** @param capacity the initial capacity: a power of two */
	Ring(int capacity) {
		assert Integer.bitCount(capacity) == 1;
		this.elements = new Object[capacity];
	}

	int size() {
		return this.size;
	}

	boolean isEmpty() {
		return this.size == 0;
	}

	void addLast(E e) {
		makeRoom();
		this.elements[index(this.size)] = e;
		this.size++;
	}

	void addFirst(E e) {
		makeRoom();
		this.head = (this.head - 1) & (this.elements.length - 1);
		this.elements[this.head] = e;
		this.size++;
	}

	E peekFirst() {
		return (this.size == 0) ? null : get(0);
	}

	E peekLast() {
		return (this.size == 0) ? null : get(this.size - 1);
	}

	E getFirst() {
		if (this.size == 0) {
			throw new NoSuchElementException();
		}
		return get(0);
	}

	E pollFirst() {
		if (this.size == 0) {
			return null;
		}
		E e = get(0);
		this.elements[this.head] = null;
		this.head = index(1);
		this.size--;
		return e;
	}

	E pollLast() {
		if (this.size == 0) {
			return null;
		}
		E e = get(this.size - 1);
		this.elements[index(this.size - 1)] = null;
		this.size--;
		return e;
	}

	/** Removes the first occurrence of {@code o} (by identity); false if it is not here. */
	boolean remove(Object o) {
		for (int i = 0; i < this.size; i++) {
			if (this.elements[index(i)] == o) {
				removeAt(i);
				return true;
			}
		}
		return false;
	}

	/** In order, oldest first; its {@code remove} removes the element last returned. */
	@Override
	public Iterator<E> iterator() {
		return new Iterator<>() {
			private int next;

			private int last = -1;

			@Override
			public boolean hasNext() {
				return this.next < Ring.this.size;
			}

			@Override
			public E next() {
				if (this.next >= Ring.this.size) {
					throw new NoSuchElementException();
				}
				this.last = this.next++;
				return get(this.last);
			}

			@Override
			public void remove() {
				if (this.last < 0) {
					throw new IllegalStateException();
				}
				removeAt(this.last);
				this.next = this.last;
				this.last = -1;
			}
		};
	}

	/** The element at position {@code i} (0 = first). */
	@SuppressWarnings("unchecked")
	E get(int i) {
		return (E) this.elements[index(i)];
	}

	private int index(int i) {
		return (this.head + i) & (this.elements.length - 1);
	}

	/** Removes the element at position {@code i} (0 = first), moving the later elements down. */
	void removeAt(int i) {
		for (int j = i; j < this.size - 1; j++) {
			this.elements[index(j)] = this.elements[index(j + 1)];
		}
		this.elements[index(this.size - 1)] = null;
		this.size--;
	}

	/** Grows, if need be, so that {@code n} more elements fit without growing. Changes nothing if it throws. */
	void ensureRoom(int n) {
		int capacity = this.elements.length;
		if (this.size + n <= capacity) {
			return;
		}
		while (capacity < this.size + n) {
			capacity <<= 1;
		}
		grow(capacity);
	}

	/** Grows (doubles) a full array; allocates before it changes anything. */
	private void makeRoom() {
		int capacity = this.elements.length;
		if (this.size < capacity) {
			return;
		}
		grow(capacity << 1);
	}

	private void grow(int capacity) {
		Object[] grown = new Object[capacity];
		for (int i = 0; i < this.size; i++) {
			grown[i] = this.elements[index(i)];
		}
		this.elements = grown;
		this.head = 0;
	}

}
