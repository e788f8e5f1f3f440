using AnyClaude.Host.Backends;
using Microsoft.Extensions.Time.Testing;

namespace AnyClaude.Host.Tests.Routing;

public sealed class BackendHealthTrackerTests
{
    [Fact]
    public void A_failed_backend_is_skipped_for_its_back_off_which_doubles_and_is_cleared_by_a_success()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-01T12:00:00Z"));
        var health = new BackendHealthTracker(time);
        health.IsAvailable("a").ShouldBeTrue();

        health.MarkFailed("a", "refused");
        health.IsAvailable("a").ShouldBeFalse();
        health.Snapshot("a").LastError.ShouldBe("refused");
        time.Advance(TimeSpan.FromSeconds(1.9));
        health.IsAvailable("a").ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(0.2));
        health.IsAvailable("a").ShouldBeTrue();

        health.MarkFailed("a", "refused again");
        time.Advance(TimeSpan.FromSeconds(3.9));
        health.IsAvailable("a").ShouldBeFalse();
        time.Advance(TimeSpan.FromSeconds(0.2));
        health.IsAvailable("a").ShouldBeTrue();

        health.MarkSucceeded("a");
        health.Snapshot("a").Healthy.ShouldBeTrue();
        health.MarkFailed("a", "once more");
        time.Advance(TimeSpan.FromSeconds(2.1));
        health.IsAvailable("a").ShouldBeTrue();
    }

    [Fact]
    public void The_back_off_stops_growing_at_its_maximum()
    {
        var time = new FakeTimeProvider();
        var health = new BackendHealthTracker(time);
        for (int i = 0; i < 20; i++)
        {
            health.MarkFailed("a", "down");
        }

        health.Snapshot("a").RetryAt.ShouldBe(time.GetUtcNow() + BackendHealthTracker.MaxBackOff);
        health.IsAvailable("b").ShouldBeTrue();
    }
}
