import { createApp } from 'vue'
import { Button, Cell, CellGroup, Empty, Field, Loading, NavBar, Rate, Tab, Tabs, Tag } from 'vant'
import 'vant/es/toast/style/index'
import './styles.js'
import App from './App.vue'

const app = createApp(App)
for (const part of [Button, Cell, CellGroup, Empty, Field, Loading, NavBar, Rate, Tab, Tabs, Tag]) app.use(part)
app.mount('#app')
