package dev.berth.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class CommandTest {
    @Test
    void run_passesArgumentsVerbatimWithoutAShell() {
        CommandResult r = Command.of("printf", "%s|", "a b", "$HOME", ";rm").check();
        assertEquals("a b|$HOME|;rm|", r.stdout());
    }

    @Test
    void check_reportsExitCodeAndStderr() {
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("sh", "-c", "echo boom >&2; exit 3").check());
        assertEquals(3, e.exitCode());
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
    }

    @Test
    void run_killsACommandThatOutlivesItsTimeout() {
        long t0 = System.nanoTime();
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("sleep", "30").timeout(Duration.ofMillis(300)).run());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 10);
    }

    @Test
    void run_feedsStdin() {
        assertEquals("hello", Command.of("cat").stdin("hello".getBytes()).check().stdout());
    }

    @Test
    void start_failureNamesTheProgram() {
        CommandFailedException e = assertThrows(CommandFailedException.class,
                () -> Command.of("/nonexistent/berth-tool").run());
        assertTrue(e.getMessage().contains("/nonexistent/berth-tool"), e.getMessage());
    }
}
