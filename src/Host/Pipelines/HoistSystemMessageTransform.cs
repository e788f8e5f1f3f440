using AnyClaude.Abstractions.Messages;
using AnyClaude.Abstractions.Transforms;

namespace AnyClaude.Host.Pipelines;

/// <summary>
/// Moves the <c>role: "system"</c> message Claude Code sends right after the first user message (its environment:
/// working directory, platform, date, deferred tools, agent types and skills, ~10 KB) into that message, as a system
/// reminder after the leading ones and before the user's words. After the words, every session's first turn prefilled
/// it afresh; ahead of them it is part of the prefix every session of a project shares that day, which the backend
/// keeps warm (Warm before asked). The model reads the same text in the same user turn; every turn of the conversation
/// is moved the same way, so turn N's prompt stays a prefix of turn N+1's.
/// </summary>
internal sealed class HoistSystemMessageTransform : IRequestTransform
{
    public const string TransformName = "hoist-system-message";

    public string Name => TransformName;

    public ValueTask ApplyAsync(RequestContext context, CancellationToken cancellationToken)
    {
        var messages = context.Request.Messages;
        if (messages is [{ Role: MessageRoles.User } first, { Role: MessageRoles.System } system, ..]
            && first.Content.Count > 0
            && system.Content.Count > 0
            && system.Content.TrueForAll(block => block is TextBlock))
        {
            first.Content.Insert(SystemReminder.LeadingCount(first), new TextBlock(SystemReminder.Of(system)));
            messages.RemoveAt(1);
        }

        return ValueTask.CompletedTask;
    }
}
