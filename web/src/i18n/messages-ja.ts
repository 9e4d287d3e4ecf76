import type { MessageId } from "./messages-en.js";

/** Japanese texts. Typed against the English catalog: a missing id fails `tsc`. */
export const ja: Record<MessageId, string> = {
  "app.loading": "Parley を読み込んでいます…",
  "app.startupError": "{error} 再試行しています…",

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

  "language.browser": "自動",
  "language.label": "言語",
};
