namespace Serverless.Local.Tests.Iam;

/// <summary>
/// A role against the calls made with it: every call must be allowed (some Allow statement covers it, no Deny does),
/// and every action of every Allow statement must be used by a call that statement covers. So the role can be
/// neither too small (a call denied on AWS) nor silently too broad (an action nobody needs).
/// </summary>
internal static class PermissionCheck
{
    public static IReadOnlyList<string> Problems(FunctionRole role, IReadOnlyList<AwsCall> calls)
    {
        var problems = new List<string>();
        foreach (var call in calls)
        {
            if (role.Statements.Where(s => !s.Allow).FirstOrDefault(s => s.Covers(call)) is { } deny)
            {
                problems.Add($"{role.FunctionId}: {call} is denied by {role.RoleId} statement {deny}.");
            }
            else if (!role.Statements.Any(s => s.Allow && s.Covers(call)))
            {
                problems.Add($"{role.FunctionId}: {call} is not allowed by {role.RoleId}.");
            }
        }

        foreach (var statement in role.Statements.Where(s => s.Allow))
        {
            foreach (var action in statement.Actions)
            {
                if (!calls.Any(c => PolicyStatement.ActionMatches(action, c.Action) && statement.Covers(c)))
                {
                    problems.Add($"{role.FunctionId}: {role.RoleId} statement {statement} allows {action} on {string.Join(", ", statement.Resources)}, which no call needs.");
                }
            }
        }

        return problems;
    }
}
