using Microsoft.AspNetCore.Http;

namespace AnyClaude.TestSupport;

/// <summary>Cuts a connection abruptly, the way a crashing server or a dropped network does.</summary>
internal static class ConnectionBreaker
{
    /// <summary>
    /// Pause before the cut. Kestrel's abort resets the connection, and a reset makes the client's kernel drop
    /// bytes it has not read yet: the pause lets a reading client take what was sent before the break.
    /// </summary>
    private static readonly TimeSpan DrainBeforeBreak = TimeSpan.FromMilliseconds(100);

    public static async Task BreakAsync(HttpContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(DrainBeforeBreak, cancellationToken).ConfigureAwait(false);
        context.Abort();
    }
}
