package dev.berth.ipam;

import dev.berth.host.ManualClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class AddressBookTest {
    private static String s(Optional<byte[]> a) {
        return Cidr.format(a.orElseThrow());
    }

    @Test
    void next_skipsNetworkAndBroadcastAndRunsOutCleanly() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/30"), Duration.ofSeconds(30), new ManualClock());
        assertEquals("10.0.0.1", s(book.next()));
        assertEquals("10.0.0.2", s(book.next()));
        assertEquals(Optional.empty(), book.next());
    }

    @Test
    void releasedAddresses_waitOutTheQuarantineOldestFirst() {
        ManualClock clock = new ManualClock();
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/24"), Duration.ofSeconds(30), clock);
        byte[] a = book.next().orElseThrow();
        byte[] b = book.next().orElseThrow();
        book.release(a);
        clock.advance(Duration.ofSeconds(1));
        book.release(b);
        assertEquals("10.0.0.3", s(book.next()), "inside the quarantine a never-used address comes first");
        clock.advance(Duration.ofSeconds(30));
        assertEquals("10.0.0.1", s(book.next()), "then the oldest released");
        assertEquals("10.0.0.2", s(book.next()));
        assertEquals("10.0.0.4", s(book.next()));
    }

    @Test
    void aFullPool_reusesTheOldestReleasedEvenInQuarantine() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/29"), Duration.ofHours(1), new ManualClock());
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            all.add(s(book.next()));
        }
        assertEquals(6, all.size());
        book.release(Cidr.parseAddress("10.0.0.4"));
        book.release(Cidr.parseAddress("10.0.0.2"));
        assertEquals("10.0.0.4", s(book.next()));
        assertEquals("10.0.0.2", s(book.next()));
        assertEquals(Optional.empty(), book.next());
    }

    @Test
    void take_refusesWhatCannotBeAssigned() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/24"), Duration.ZERO, new ManualClock());
        book.take(Cidr.parseAddress("10.0.0.9"));
        assertThrows(IllegalStateException.class, () -> book.take(Cidr.parseAddress("10.0.0.9")));
        assertThrows(IllegalArgumentException.class, () -> book.take(Cidr.parseAddress("10.0.1.9")));
        assertThrows(IllegalArgumentException.class, () -> book.take(Cidr.parseAddress("10.0.0.0")));
        assertThrows(IllegalArgumentException.class, () -> book.take(Cidr.parseAddress("10.0.0.255")));
        for (int i = 1; i < 9; i++) {
            book.next();
        }
        assertEquals("10.0.0.10", s(book.next()), "the cursor steps over an address taken by request");
        assertFalse(book.release(Cidr.parseAddress("10.0.0.200")));
        assertTrue(book.release(Cidr.parseAddress("10.0.0.9")));
    }

    @Test
    void aSlashEight_costsOnlyWhatIsTaken() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/8"), Duration.ofSeconds(30), new ManualClock());
        long before = usedHeap();
        for (int i = 0; i < 10_000; i++) {
            book.next();
        }
        assertEquals(10_000, book.takenCount());
        long grew = usedHeap() - before;
        assertTrue(grew < 16L << 20, "10,000 allocations in a /8 grew the heap by " + (grew >> 20) + " MiB");
        AddressBook v6 = new AddressBook(Cidr.parse("fd00::/64"), Duration.ZERO, new ManualClock());
        assertEquals("fd00::1", s(v6.next()));
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void aStartHint_beginsMidRangeAndWrapsOnce() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/29"), Cidr.parse("10.0.0.0/29"),
                java.math.BigInteger.valueOf(5), Duration.ZERO, new ManualClock());
        assertEquals("10.0.0.5", s(book.next()));
        assertEquals("10.0.0.6", s(book.next()));
        assertEquals("10.0.0.1", s(book.next()), "past the end it wraps, skipping broadcast and network");
        for (int i = 0; i < 3; i++) {
            book.next();
        }
        assertTrue(book.cursorDone());
        assertEquals(Optional.empty(), book.next());
    }

    @Test
    void aRange_isWhereAddressesComeFromAndPoolEdgesStayReserved() {
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/24"), Cidr.parse("10.0.0.252/30"),
                java.math.BigInteger.ZERO, Duration.ZERO, new ManualClock());
        assertEquals("10.0.0.252", s(book.next()));
        assertEquals("10.0.0.253", s(book.next()));
        assertEquals("10.0.0.254", s(book.next()));
        assertEquals(Optional.empty(), book.next(), "10.0.0.255 is the pool's broadcast address");
    }

    @Test
    void releasesLearnedFromTheStore_keepTheirOrderAndQuarantine() {
        ManualClock clock = new ManualClock();
        AddressBook book = new AddressBook(Cidr.parse("10.0.0.0/24"), Duration.ofSeconds(30), clock);
        book.markReleased(Cidr.parseAddress("10.0.0.1"), clock.instant().minusSeconds(5));
        book.markReleased(Cidr.parseAddress("10.0.0.2"), clock.instant().minusSeconds(40));
        book.markTaken(Cidr.parseAddress("10.0.0.3"));
        assertEquals("10.0.0.2", s(book.next()), "released 40 s ago: past its quarantine, and the oldest");
        assertEquals("10.0.0.4", s(book.next()), "10.0.0.1 rests; 10.0.0.3 is held elsewhere");
        book.forget(Cidr.parseAddress("10.0.0.4"));
        assertEquals("10.0.0.4", s(book.next()), "a take whose claim failed is free again at once");
    }
}
