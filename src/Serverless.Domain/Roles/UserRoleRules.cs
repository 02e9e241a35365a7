namespace Serverless.Domain.Roles;

public sealed class UserRoleRules : Rules<UserRole, UserRoleRules>, IRuleSet<UserRole>
{
    public static void Check(UserRole link, FieldErrorCollector errors)
    {
        errors.NotEmpty("userId", link.UserId);
        errors.NotEmpty("roleId", link.RoleId);
        errors.RequiredString("roleName", link.RoleName);
    }
}
