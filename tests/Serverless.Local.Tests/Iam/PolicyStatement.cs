using System.Text.RegularExpressions;

namespace Serverless.Local.Tests.Iam;

/// <summary>
/// One statement of a role's identity policy, evaluated as IAM does for the parts this project's roles use: Effect,
/// Action and Resource with <c>*</c>/<c>?</c> wildcards (actions case-insensitive), and Conditions. A statement with
/// an element this evaluator does not know (NotAction, NotResource, an unknown condition operator) is refused when
/// read, never guessed at.
/// </summary>
internal sealed record PolicyStatement(string Sid, bool Allow, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, IReadOnlyList<PolicyCondition> Conditions)
{
    public static PolicyStatement FromResolved(Dictionary<string, object?> statement, string where)
    {
        foreach (var key in statement.Keys)
        {
            if (key is not ("Sid" or "Effect" or "Action" or "Resource" or "Condition"))
            {
                throw new InvalidOperationException($"{where}: {key} is not evaluated by this check; extend PolicyStatement before using it.");
            }
        }

        var sid = statement.GetValueOrDefault("Sid") as string ?? throw new InvalidOperationException($"{where}: every statement needs a Sid, so a report can name it.");
        var effect = statement.GetValueOrDefault("Effect") as string;
        if (effect is not ("Allow" or "Deny"))
        {
            throw new InvalidOperationException($"{where} {sid}: Effect must be Allow or Deny.");
        }

        var conditions = new List<PolicyCondition>();
        if (statement.GetValueOrDefault("Condition") is Dictionary<string, object?> byOperator)
        {
            foreach (var (op, keys) in byOperator)
            {
                foreach (var (key, values) in (Dictionary<string, object?>)keys!)
                {
                    conditions.Add(new PolicyCondition(op, key, Strings(values, $"{where} {sid} {op} {key}")));
                }
            }
        }

        return new PolicyStatement(
            sid,
            effect == "Allow",
            Strings(statement.GetValueOrDefault("Action"), $"{where} {sid} Action"),
            Strings(statement.GetValueOrDefault("Resource"), $"{where} {sid} Resource"),
            conditions);
    }

    /// <summary>True when this statement applies to the call: one of its actions, one of its resources, every condition.</summary>
    public bool Covers(AwsCall call) =>
        Actions.Any(a => ActionMatches(a, call.Action)) && Resources.Any(r => Wildcard.Matches(r, call.Resource, ignoreCase: false)) && Conditions.All(c => c.Holds(call));

    public static bool ActionMatches(string pattern, string action) => Wildcard.Matches(pattern, action, ignoreCase: true);

    public override string ToString() => Sid;

    private static List<string> Strings(object? value, string what) => value switch
    {
        string s => [s],
        List<object?> list when list.All(v => v is string) => [.. list.Cast<string>()],
        _ => throw new InvalidOperationException($"{what}: expected a string or a list of strings after resolving the template."),
    };
}

/// <summary>One condition (operator, key, values) of a statement.</summary>
internal sealed record PolicyCondition(string Operator, string Key, IReadOnlyList<string> Values)
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "StringEquals", "StringLike", "ForAllValues:StringEquals", "ForAllValues:StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike",
    };

    public bool Holds(AwsCall call)
    {
        if (!Known.Contains(Operator))
        {
            throw new InvalidOperationException($"Condition operator {Operator} is not evaluated by this check; extend PolicyCondition before using it.");
        }

        var like = Operator.EndsWith("StringLike", StringComparison.Ordinal);
        bool Match(string value) => Values.Any(v => like ? Wildcard.Matches(v, value, ignoreCase: false) : v == value);
        var present = call.ValuesOf(Key);
        return Operator switch
        {
            // IAM: ForAllValues holds for a request without the key (no value breaks it); the others need the key.
            _ when Operator.StartsWith("ForAllValues:", StringComparison.Ordinal) => present is null || present.All(Match),
            _ when Operator.StartsWith("ForAnyValue:", StringComparison.Ordinal) => present is not null && present.Any(Match),
            _ => present is { Count: 1 } && Match(present[0]),
        };
    }
}

/// <summary>IAM's wildcards: <c>*</c> any run of characters, <c>?</c> any one character.</summary>
internal static class Wildcard
{
    public static bool Matches(string pattern, string value, bool ignoreCase) =>
        Regex.IsMatch(
            value,
            "^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None) | RegexOptions.Singleline | RegexOptions.CultureInvariant);
}
