namespace AnyClaude.Host.Cli.Doctor;

internal enum Verdict
{
    Ok,
    Warning,
    Failed,
}

/// <summary>One finding of <c>anyclaude doctor</c>: what was checked, what was found, and what to do about it (null when nothing).</summary>
internal sealed record DoctorCheck(string Subject, string Name, Verdict Verdict, string Finding, string? Fix = null)
{
    public static DoctorCheck Ok(string subject, string name, string finding) => new(subject, name, Verdict.Ok, finding);

    public static DoctorCheck Warn(string subject, string name, string finding, string fix) => new(subject, name, Verdict.Warning, finding, fix);

    public static DoctorCheck Fail(string subject, string name, string finding, string fix) => new(subject, name, Verdict.Failed, finding, fix);
}
