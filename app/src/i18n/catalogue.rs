//! Every string the UI shows, zh-CN first, English second.
use super::define_catalogue;

define_catalogue! {
    // The app and its shell
    AppName => "我的社区", "My Community";
    TabHome => "首页", "Home";
    TabServices => "服务", "Services";
    TabPost => "发布", "Post";
    TabDeliberate => "议事", "Deliberate";
    TabMe => "我的", "Me";
    MainNav => "主导航", "Main navigation";
    SkipToContent => "跳到正文", "Skip to content";
    StationNav => "服务站导航", "Station navigation";
    StationTitle => "社区服务站工作台", "Station desk";
    BackToResidentView => "回到居民端", "Back to resident view";

    // Preferences
    Settings => "设置", "Settings";
    Language => "语言", "Language";
    SwitchLanguage => "切换语言", "Switch language";
    ElderMode => "长辈模式（大字体）", "Elder mode (large type)";
    ElderModeOn => "开启长辈模式", "Turn on elder mode";
    ElderModeOff => "关闭长辈模式", "Turn off elder mode";
    ElderModeHint => "字号更大、对比更强、按钮更大。", "Larger type, stronger contrast and bigger buttons.";

    // Accounts
    Login => "登录", "Log in";
    Logout => "退出登录", "Log out";
    Register => "注册", "Register";
    LoginTitle => "登录我的社区", "Log in to My Community";
    RegisterTitle => "注册居民账号", "Register as a resident";
    NoAccountYet => "还没有账号？", "No account yet?";
    HaveAccount => "已有账号？", "Already registered?";
    Phone => "手机号", "Mobile number";
    PhoneHint => "中国大陆手机号，11 位数字", "Mainland China mobile number, 11 digits";
    Password => "密码", "Password";
    PasswordHint => "至少 8 位，需包含字母和数字", "At least 8 characters, with letters and digits";
    PasswordConfirm => "再次输入密码", "Repeat the password";
    CurrentPassword => "当前密码", "Current password";
    NewPassword => "新密码", "New password";
    ChangePassword => "修改密码", "Change password";
    PasswordChanged => "密码已修改，其他设备上的登录已退出。", "Password changed. You have been logged out on other devices.";
    DisplayName => "称呼", "Display name";
    DisplayNameHint => "邻居和工作人员看到的名字", "The name neighbours and staff see";
    Community => "所在社区", "Community";
    ChooseCommunity => "请选择社区", "Choose your community";
    Address => "住址", "Address";
    Building => "楼栋", "Building";
    ChooseBuilding => "请选择楼栋", "Choose your building";
    UnitNo => "单元", "Unit";
    Room => "门牌号", "Room";
    Submit => "提交", "Submit";
    Sending => "提交中…", "Sending…";
    Save => "保存", "Save";
    AgreePrivacy => "您的手机号只对您本人和授权的工作人员完整显示。", "Your full mobile number is shown only to you and to authorised staff.";

    // Roles
    RoleResident => "居民", "Resident";
    RoleSocialWorker => "全科社工", "General social worker";
    RoleDispatcher => "副站长（调度）", "Deputy stationmaster (dispatch)";
    RoleStationmaster => "站长", "Stationmaster";
    RoleDepartment => "街道部门联络员", "Department liaison";
    RoleSubdistrictAdmin => "街道管理员", "Subdistrict administrator";
    RoleDistrictAdmin => "区级管理员", "District administrator";

    // Hierarchy
    District => "区", "District";
    Subdistrict => "街道", "Subdistrict";
    GridArea => "网格", "Grid area";
    AreaDirector => "网格长", "Area director";
    Households => "户", "households";
    Buildings => "楼栋", "Buildings";

    // Home
    Welcome => "欢迎来到我的社区", "Welcome to My Community";
    HomeIntro => "有事找服务站：报修、咨询、办事、预约，一个窗口全办理。", "One window for everything: repairs, questions, paperwork and appointments.";
    HomeGuestCta => "登录后即可发布诉求、预约服务、参与议事。", "Log in to post demands, book appointments and join deliberations.";
    YourStation => "您的社区服务站", "Your community service station";
    StationHoursLabel => "服务时间", "Opening hours";
    StationHours => "周一至周五 8:30–17:30，周六 9:00–12:00", "Mon–Fri 8:30–17:30, Sat 9:00–12:00";
    StationTeam => "服务站工作人员", "Station staff";
    ServiceFamilies => "四类服务", "Four service families";
    FamilyPartyMasses => "党群服务", "Party-masses services";
    FamilyPartyMassesDesc => "党组织关系转接、党员社区报到等。", "Party membership transfers, party members registering with the community.";
    FamilyGovernment => "政务服务", "Government services";
    FamilyGovernmentDesc => "社保、医保、补贴、证明等政府公共服务。", "Social security, medical insurance, subsidies, certificates.";
    FamilyLife => "生活服务", "Life services";
    FamilyLifeDesc => "水电维修、家政、法律、心理、健康等便民服务。", "Utility repairs, housekeeping, legal, psychological and health services.";
    FamilyPublic => "公益服务", "Public services";
    FamilyPublicDesc => "垃圾分类、平安巡逻、文体活动、冬衣募集等志愿服务。", "Volunteering: garbage sorting, safety patrols, culture and sports, winter clothes collection.";
    ServicesIntro => "服务站一个窗口受理所有事项，必要时上门服务。", "The station accepts every affair at one window and comes to your home when needed.";
    PostIntro => "遇到问题或有想法，告诉服务站。", "Tell the station about a problem or an idea.";
    PostDemand => "发布诉求", "Post a demand";
    PostDemandDesc => "报修、求助、咨询，服务站会分派专人跟进并限时答复。", "Repairs, help, questions: the station assigns someone and answers within a deadline.";
    PostDeliberation => "发起议事", "Start a deliberation";
    PostDeliberationDesc => "邻里公共事务，获得足够支持后成为居民自治项目。", "Neighbourhood matters; with enough support they become residents' autonomy projects.";
    ThreadsIntro => "邻里议事：大家的事大家商量。", "Neighbourhood deliberation: what concerns everyone is decided together.";
    NotYetOpen => "该功能即将开放。", "This part opens soon.";
    LoginRequired => "请先登录。", "Please log in first.";

    // Me
    AccountDetails => "我的账号", "My account";
    MyAddress => "我的住址", "My address";
    SignedInAs => "当前身份", "Signed in as";
    Sessions => "登录设备", "Signed-in devices";

    // Station
    StationWelcome => "工作台", "Desk";
    StationScope => "工作范围", "Scope";
    StationTeamAndAreas => "人员与网格", "Staff and grid areas";
    NoDirector => "未指定", "Not assigned";
    Subdistricts => "街道", "Subdistricts";
    Communities => "社区", "Communities";
    Departments => "街道部门", "Subdistrict departments";

    // Errors
    ErrNotFoundTitle => "页面不存在", "Page not found";
    ErrNotFoundBody => "您要找的页面不存在或已移动。", "The page you are looking for does not exist or has moved.";
    ErrForbiddenTitle => "无权访问", "Not allowed";
    ErrForbiddenBody => "您的账号没有访问此页面的权限。", "Your account is not allowed to open this page.";
    ErrGenericTitle => "出错了", "Something went wrong";
    ErrInternal => "服务器开小差了，请稍后再试。我们已记录此问题。", "Something went wrong on our side. Please try again later; we have logged it.";
    ErrUnauthenticated => "请先登录。", "Please log in first.";
    ErrForbidden => "您没有权限执行此操作。", "You are not allowed to do this.";
    ErrNotFound => "找不到该内容。", "Not found.";
    ErrBadRequest => "请求无效，请刷新页面后重试。", "The request was not valid. Please reload the page and try again.";
    ErrInvalidForm => "请按提示修改后重新提交。", "Please correct the fields marked below and submit again.";
    ErrBadCredentials => "手机号或密码不正确。", "Wrong mobile number or password.";
    ErrConflict => "内容已被他人修改，请刷新后重试。", "Someone else changed this meanwhile. Please reload and try again.";
    ErrNetwork => "网络连接失败，请检查网络后重试。", "Could not reach the server. Check your connection and try again.";
    ErrForeignOrigin => "请求来源不被允许。", "Request from another site refused.";
    ErrRequired => "此项必填。", "This field is required.";
    ErrPhoneFormat => "请输入 11 位中国大陆手机号，如 13812341234。", "Enter an 11-digit mainland mobile number, e.g. 13812341234.";
    ErrPhoneTaken => "该手机号已注册，请直接登录。", "This mobile number is already registered. Please log in.";
    ErrPasswordTooShort => "密码至少 8 位。", "The password needs at least 8 characters.";
    ErrPasswordTooLong => "密码最多 128 位。", "The password can have at most 128 characters.";
    ErrPasswordWeak => "密码需同时包含字母和数字。", "The password needs both letters and digits.";
    ErrPasswordCommon => "该密码太常见，请换一个。", "This password is too common. Please choose another.";
    ErrPasswordMismatch => "两次输入的密码不一致。", "The two passwords do not match.";
    ErrPasswordWrong => "当前密码不正确。", "The current password is wrong.";
    ErrNameLength => "称呼为 1 到 20 个字。", "The name must have 1 to 20 characters.";
    ErrUnknownCommunity => "请选择有效的社区。", "Choose a valid community.";
    ErrUnknownBuilding => "请选择所在社区的楼栋。", "Choose a building of your community.";
    ErrUnitRoom => "单元和门牌号为 1 到 10 个字符。", "Unit and room have 1 to 10 characters.";
    ErrThrottled => "尝试次数过多，请稍后再试。", "Too many attempts. Please try again later.";
}
