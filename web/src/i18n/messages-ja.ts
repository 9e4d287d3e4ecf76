import type { MessageId } from "./messages-en.js";

/** Japanese texts. Typed against the English catalog: a missing id fails `tsc`. */
export const ja: Record<MessageId, string> = {
  "app.loading": "Parley を読み込んでいます…",
  "app.startupError": "Parley を読み込めませんでした: {error} 再試行しています…",

  "connection.connected": "接続済み",
  "connection.connecting": "接続中",
  "connection.reconnecting": "再接続中",
  "connection.connected.title": "接続済み: メッセージはリアルタイムで届きます",
  "connection.connecting.title": "サーバーに接続しています…",
  "connection.reconnecting.title":
    "接続が切れたため再接続しています。送信したメッセージは保持され、接続が戻りしだい送られます。",

  "sidebar.label": "ルーム",
  "sidebar.heading": "ルーム",
  "sidebar.openRooms": "ルーム一覧を開く",
  "sidebar.closeRooms": "ルーム一覧を閉じる",
  "sidebar.unread": "未読メッセージ {count} 件",

  "createRoom.open": "ルームを作成",
  "createRoom.title": "ルームを作成",
  "createRoom.name": "ルーム名",
  "createRoom.hint": "このサーバーの誰もが見つけて参加できます。",
  "createRoom.submit": "作成",
  "createRoom.cancel": "キャンセル",
  "createRoom.empty": "ルーム名を入力してください。",
  "createRoom.tooLong": "ルーム名は {max} 文字までです。",

  "userMenu.open": "{name} のアカウントと設定",
  "userMenu.theme": "表示",
  "userMenu.theme.system": "システム",
  "userMenu.theme.light": "ライト",
  "userMenu.theme.dark": "ダーク",
  "userMenu.signOut": "サインアウト",

  "room.loading": "ルームを読み込んでいます…",
  "room.missing": "#{slug} というルームはありません。",
  "room.goGeneral": "#general へ移動",
  "room.openError": "#{slug} を開けませんでした: {message}",
  "room.retry": "再試行",
  "room.documentTitle": "#{room} · Parley",
  "room.documentTitleUnread": "({count}) #{room} · Parley",

  "members.label": "メンバー",
  "members.heading": "参加中",
  "members.open": "参加中のメンバー {count} 人を表示",
  "members.close": "メンバー一覧を閉じる",

  "messages.label": "#{room} のメッセージ",
  "messages.start": "ここが #{room} の始まりです。",
  "messages.loading": "メッセージを読み込んでいます…",
  "messages.loadingOlder": "以前のメッセージを読み込んでいます…",
  "messages.newDivider": "新着メッセージ",
  "messages.today": "今日",
  "messages.yesterday": "昨日",
  "messages.sending": "送信中…",
  "messages.notSent": "送信できませんでした: {reason}",
  "messages.refused": "サーバーに拒否されました",
  "messages.retry": "再送信",
  "messages.discard": "破棄",

  "composer.label": "#{room} へのメッセージ",
  "composer.send": "送信",
  "composer.hint": "<kbd>Enter</kbd> で送信、<kbd>Shift</kbd>+<kbd>Enter</kbd> で改行",

  "signin.documentTitle": "サインイン · Parley",
  "signin.subtitle": "サインインしてチームとチャットしましょう。",
  "signin.loadError": "サインイン方法を読み込めませんでした: {error}",
  "signin.loading": "読み込んでいます…",
  "signin.withProvider": "{provider} でサインイン",
  "signin.devNotice":
    "<strong>開発モード。</strong>開発用サインインが有効です。誰でもパスワードなしで任意の名前でサインインできます。他の人がアクセスできるサーバーでは決して有効にしないでください。",
  "signin.displayName": "表示名",
  "signin.submit": "サインイン",
  "signin.nameEmpty": "表示名を入力してください。",
  "signin.nameTooLong": "表示名は {max} 文字までです。",
  "signin.noMethod": "このサーバーにはサインイン方法が設定されていません。管理者に問い合わせてください。",
  "signin.error.not_allowed":
    "このサーバーはチームのメンバーだけが利用できます。アカウントの確認済みメールアドレスが許可リストにありません。管理者に追加を依頼してください。",
  "signin.error.account_not_linked":
    "このメールアドレスのアカウントは既にありますが、このプロバイダーはメールアドレスがあなたのものだと確認しなかったため、連携しませんでした。以前使ったプロバイダーでサインインしてください。",
  "signin.error.email_doesn_t_match": "このアカウントのメールアドレスは、サインイン中のものと一致しません。",
  "signin.error.unable_to_create_user":
    "アカウントを作成できませんでした。もう一度試すか、管理者に問い合わせてください。",
  "signin.error.access_denied": "プロバイダーでサインインがキャンセルされました。",
  "signin.error.state_mismatch":
    "サインインに時間がかかりすぎたか、別のタブで開始されました。もう一度お試しください。",
  "signin.error.unknown": "サインインに失敗しました ({code})。",

  "problem.offline": "サーバーに接続できません。ネットワーク接続を確認してください。",
  "problem.bad_response": "サーバーから予期しない応答がありました。",
  "problem.http_error": "サーバーがエラーを返しました (HTTP {status})。",
  "problem.not_ready": "まだ起動中です。少し待ってからもう一度お試しください。",
  "problem.unexpected": "問題が発生しました。",
  "problem.unknown": "サーバーにリクエストを拒否されました ({code})。",
  "problem.refused": "サーバーに拒否されました。",
  "problem.message_empty": "メッセージを入力してください。",
  "problem.message_too_long": "メッセージは {max, number} 文字までです。",
  "problem.message_too_long.measured":
    "メッセージは {max, number} 文字までです (このメッセージは {length, number} 文字あります)。",
  "problem.message_invalid": "保存できない文字 (制御文字) が含まれています。",
  "problem.rate_limited": "操作が速すぎます。少し待ってからもう一度お試しください。",
  "problem.rate_limited.wait": "操作が速すぎます。{wait}後にもう一度お試しください。",
  "problem.rate_limited.rooms_per_day":
    "1 日に作成できるルーム数の上限に達しました。{wait}後にもう一度お試しください。",
  "problem.unavailable": "サーバーが一時的に利用できません。しばらくしてからもう一度お試しください。",
  "problem.unavailable.wait": "サーバーが一時的に利用できません。{wait}後にもう一度お試しください。",
  "problem.unknown_room": "このルームは存在しません。",
  "problem.not_in_room": "このルームに参加していませんでした。もう一度参加しています。",
  "problem.client_id_conflict": "メッセージが他のメッセージと重複したため、送り直しています。",
  "problem.bad_frame": "サーバーがリクエストを理解できませんでした。",
  "problem.internal": "サーバーで問題が発生しました。",
  "problem.room_name_taken":
    "この名前のルームは既にあります。別の名前にするか、そのルームに参加してください。",
  "problem.bad_request": "リクエストが不正なため、サーバーに拒否されました。",
  "problem.not_found": "見つかりませんでした。",
  "problem.forbidden_origin": "このページのアドレスからのリクエストは拒否されます。",
  "problem.sign_out_failed":
    "サインアウトできませんでした。データベースが利用できないため、セッションはまだ有効です。もう一度お試しください。",
  "problem.session_store_unavailable":
    "サインアウトしました。ただしセッションキャッシュが利用できないため、復旧後に消去されます。",
  "problem.during.load_older": "以前のメッセージを読み込めませんでした: {reason}",

  "language.browser": "自動",
  "language.label": "言語",

  // --- search (issue 16) ---
  "search.open": "検索",
  "search.shortcut": "メッセージを検索（/ または Ctrl+K）",
  "search.label": "メッセージを検索",
  "search.placeholder": '語句、"フレーズ"、from:名前、in:ルーム',
  "search.close": "検索を閉じる",
  "search.scope": "検索する場所",
  "search.scope.all": "すべてのルーム",
  "search.scope.room": "#{room} のみ",
  "search.help": "絞り込み: from:名前 in:ルーム on:2026-01-31 after:2026-01-01 before:2026-02-01",
  "search.loading": "検索しています…",
  "search.none": "「{query}」に一致するメッセージはありません。",
  "search.count": "{more, select, yes {{count} 件以上} other {{count} 件}}",
  "search.more": "さらに表示",
  "search.partial":
    "新しい一致のみ表示しています。古いメッセージを探すには、語句や in:、日付を追加してください。",
  "problem.bad_search": "検索条件を読み取れませんでした。",
  "problem.bad_search.empty": "検索する語句を入力してください。",
  "problem.bad_search.too_long": "検索できるのは 256 文字までです。",
  "problem.bad_search.bad_parameter": "検索条件が不正なため拒否されました。",
  "problem.bad_search.unclosed_quote": '引用符が閉じていません。フレーズの最後に " を付けてください。',
  "problem.bad_search.too_many_terms": "一度に検索できる語句とフレーズは 12 個までです。",
  "problem.bad_search.missing_value":
    "フィルターにはコロンの直後に値が必要です（例: from:ann、in:general）。",
  "problem.bad_search.bad_date": "日付は 年-月-日 の形で指定してください（例: on:2026-01-31）。",
  "problem.bad_search.dates_reversed": "after: の日付より後で before: の日付より前の日がありません。",
  "problem.bad_search.unknown_person": "from: に指定した表示名のユーザーはいません。",
  "problem.bad_search.unknown_room": "in: に指定したルームは存在しないか、閲覧できません。",
  "problem.bad_search.needs_words": "日付だけでは検索できません。語句、from: または in: を追加してください。",
  "problem.search_off": "このサーバーでは検索が無効になっています。",
};
