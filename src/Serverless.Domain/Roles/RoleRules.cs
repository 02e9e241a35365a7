namespace Serverless.Domain.Roles;

public sealed class RoleRules : Rules<Role, RoleRules>, IRuleSet<Role>
{
    public static void Check(Role role, FieldErrorCollector errors)
    {
        errors.NotEmpty("id", role.Id);
        errors.RequiredString("name", role.Name);
        errors.MaxLength("description", role.Description, kind: TextKind.MultiLine);
    }
}
