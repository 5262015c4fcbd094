-- sec.user_access: the row-level security grants, one row per user and scope; maintained with sec.GrantUserAccess / sec.RevokeUserAccess.
CREATE TABLE sec.user_access
(
    user_principal_name NVARCHAR(256)   NOT NULL,
    scope_type          NVARCHAR(10)    NOT NULL,
    scope_value         NVARCHAR(60)    NOT NULL,
    granted_at          DATETIME2(0)    NOT NULL,
    CONSTRAINT PK_sec_user_access PRIMARY KEY CLUSTERED (user_principal_name, scope_type, scope_value),
    CONSTRAINT CK_sec_user_access_scope_type CHECK (scope_type IN (N'country', N'region', N'all')),
    CONSTRAINT CK_sec_user_access_user_principal_name CHECK (user_principal_name = LOWER(user_principal_name))
);
GO

EXEC sys.sp_addextendedproperty
    @name = N'MS_Description', @value = N'Row-level security grants: user principal name (lower case, as USERPRINCIPALNAME() returns it) -> a country (dw.dim_country.country_name), a region (dw.dim_country.region) or all countries (scope_value *). Read through sec.user_country_access.',
    @level0type = N'SCHEMA', @level0name = N'sec', @level1type = N'TABLE', @level1name = N'user_access';
GO
